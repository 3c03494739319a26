/**
 * The Perl program behind {@link SpawnAgent} (see spawn-agent.ts for why it exists).
 *
 * It is started as `perl -e PROGRAM SETNS_SYSCALL_NR`, prints `ready PID`, then serves requests
 * from its stdin until EOF and until its children are done. It stays in the namespace it was
 * started in: a request names the network namespace to work in (a path such as
 * /run/netns/NAME, or empty for none), which a child joins between fork and exec (setns(2)
 * through Perl's `syscall`), and which the agent joins and leaves around a sysctl request. So it
 * serves any number of namespaces, holds none of them open, and is never a process inside one. Only perl-base's builtins are used: the POSIX,
 * Errno and IO::Select modules cost 5-25 ms of start-up on this kind of host, which is what the
 * agent exists to save.
 *
 * Requests (from Node), a header line and a body of the lengths it names:
 * - `run ID NARGS NENV STRLEN INLEN` + STRLEN bytes of NUL-terminated strings (the namespace, the
 *   absolute path, then the arguments after argv[0], then NENV `K=V` entries; NENV -1 keeps the agent's
 *   environment) + INLEN bytes for the child's stdin; INLEN -1: the input comes later, in
 * - `feed ID LEN` + LEN bytes (so a tool can be started before its input is known);
 * - `kill ID SIGNUM`: signal that child (for timeouts);
 * - `sysctl ID STRLEN` + NUL-terminated strings, the namespace then path/value pairs: for each,
 *   read the old value and write the new one, stopping at the first failure;
 * - `sysread ID STRLEN` + NUL-terminated strings, the namespace then paths: read each.
 *
 * Replies (to Node):
 * - `done ID CODE SIGNUM OUTLEN ERRLEN` + stdout + stderr, once the child has exited and both of
 *   its pipes are closed (what Node's `close` event means), CODE -1 when killed by a signal;
 * - `started ID`, once the child has executed its program (not sent when it gave up before);
 * - `fail ID LEN` + message, when the child could not be created;
 * - `sysctl ID LEN` + NUL-terminated `ok`/`err` and value/message pairs, one per path handled.
 *
 * Children get their own three pipes, SIGPIPE back at its default, join the namespace, and exec
 * the path with the argument list (`exec { PATH } LIST`: never a shell); a child that cannot join
 * the namespace exits 126 with the reason on stderr. Input is written in chunks of at most 4096
 * bytes, and only when select says the pipe is writable, so the agent never blocks on a child.
 * sysctl paths are checked again here: relative to /proc/sys/net, no `..`.
 *
 * Spares: a child is forked with its pipes first and told its command afterwards, through a
 * fifth pipe. When the agent has had nothing to do for 10 ms it forks such a child ahead, up to
 * three, so the next commands (a start runs three tools at once) skip the fork and the pipe
 * set-up: about 3 ms each on the test VM, and CPU a start would otherwise spend when it is
 * CPU-bound. A spare closes the agent's ends of every other child's pipes (one that kept a copy
 * of a job's stdin would keep that job from ever seeing EOF); unused spares read EOF on their
 * command pipe and exit when the agent does.
 *
 * @module
 */

/** The agent's Perl source (passed with `perl -e`). */
export const SPAWN_AGENT_SCRIPT = String.raw`
use strict;
my ($setns_nr) = @ARGV;
$SIG{PIPE} = 'IGNORE';
# A child's exit wakes the select loop through this pipe (the self-pipe trick): Perl runs the
# handler between ops, so a SIGCHLD that comes just before select still leaves a byte to see.
pipe(my $chld_r, my $chld_w) or fatal("pipe: $!");
my $chld_pending = 0;
$SIG{CHLD} = sub { syswrite($chld_w, 'c') unless $chld_pending++; };
my $EINTR = 4;

sub put {
  my $s = join('', @_);
  my $off = 0;
  while ($off < length $s) {
    my $n = syswrite(STDOUT, $s, length($s) - $off, $off);
    if (!defined $n) { next if $! == $EINTR; exit 3; }
    $off += $n;
  }
}
sub fatal { my $m = shift; put('fatal 0 ' . length($m) . "\n", $m); exit 2; }

# The agent's own namespace, to come back to after a sysctl request elsewhere.
open(my $home_ns, '<', '/proc/self/ns/net') or fatal("cannot open /proc/self/ns/net: $!");

# Join the network namespace at $path ('' = stay); returns an error message or undef.
sub enter_ns {
  my $path = shift;
  return undef if $path eq '';
  open(my $ns, '<', $path) or return "cannot open network namespace $path: $!";
  my $ok = syscall(int($setns_nr), fileno($ns), 0x40000000) == 0;
  my $err = "$!";
  close $ns;
  return $ok ? undef : "cannot enter network namespace $path: $err";
}
sub leave_ns {
  syscall(int($setns_nr), fileno($home_ns), 0x40000000) == 0 or fatal("cannot return to the agent's namespace: $!");
}

put("ready $$\n");

my %jobs;          # id => job
my %byfd;          # fileno => [job, 'out' | 'err' | 'in' | 'exec']
my $inbuf = '';
my $stdin_open = 1;

# Children forked ahead of their commands (see fork_child): [pid, pipes] each.
my @spares;
my $SPARES = 3;

# Fork a child with its own stdin, stdout and stderr pipes (and one whose EOF says it executed
# its program) that then waits for its command on a fifth: "NARGS NENV " and the request's
# NUL-ended strings (the namespace, the path, the arguments after argv[0], NENV K=V entries).
# The fork, the pipes' duplication and the pages that fork leaves the child to copy cost
# milliseconds here; a spare child pays them while the agent is idle, not when a command is
# wanted. Returns the child's pid and the agent's ends of its pipes, or undef and why.
sub fork_child {
  my ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w, $exec_r, $exec_w, $cmd_r, $cmd_w);
  # $exec_w is close-on-exec (as every pipe Perl makes above fd 2): its EOF means the exec
  # succeeded, a byte that the child gave up before it.
  unless (pipe($in_r, $in_w) && pipe($out_r, $out_w) && pipe($err_r, $err_w) && pipe($exec_r, $exec_w) && pipe($cmd_r, $cmd_w)) {
    return (undef, "pipe: $!");
  }
  my $pid = fork();
  return (undef, "fork: $!") unless defined $pid;
  if ($pid == 0) {
    close $cmd_w;
    # Not ours: the agent's ends of the other children's pipes. A spare keeps what it inherits
    # until its exec, and a copy of a job's stdin would keep that job from ever seeing EOF.
    for my $sp (@spares) { close $_ for values %{ $sp->[1] }; }
    for my $job (values %jobs) { close $_ for values %{ $job->{fh} }; }
    open(STDIN, '<&', $in_r); open(STDOUT, '>&', $out_w); open(STDERR, '>&', $err_w);
    $SIG{PIPE} = 'DEFAULT';
    $SIG{CHLD} = 'DEFAULT';
    my $cmd = '';
    for (;;) {
      my $n = sysread($cmd_r, $cmd, 65536, length $cmd);
      next if !defined $n && $! == $EINTR;
      last unless $n;
    }
    exit 0 if $cmd eq '';  # a spare that was not needed
    my ($nargs, $nenv, $strings) = split(/ /, $cmd, 3);
    my @s = split(/\0/, $strings, -1);
    pop @s;
    my $netns = shift @s;
    my @argv = @s[0 .. $nargs];
    my @env = $nenv >= 0 ? @s[$nargs + 1 .. $nargs + $nenv] : ();
    my $why = enter_ns($netns);
    if (defined $why) { syswrite($exec_w, 'x'); syswrite(STDERR, "$why\n"); exit 126; }
    if ($nenv >= 0) { %ENV = (); for (@env) { my ($k, $v) = split(/=/, $_, 2); $ENV{$k} = $v; } }
    exec { $argv[0] } @argv;
    my $err = "$!";
    syswrite($exec_w, 'x');
    syswrite(STDERR, "cannot execute $argv[0]: $err\n");
    exit 127;
  }
  close $in_r; close $out_w; close $err_w; close $exec_w; close $cmd_r;
  return ($pid, { out => $out_r, err => $err_r, in => $in_w, exec => $exec_r, cmd => $cmd_w });
}

# Tell a child its command, and close the pipe it came through (the child reads to EOF).
sub send_command {
  my ($fh, $text) = @_;
  my $off = 0;
  while ($off < length $text) {
    my $n = syswrite($fh->{cmd}, $text, length($text) - $off, $off);
    if (!defined $n) { next if $! == $EINTR; last; }
    $off += $n;
  }
  close delete $fh->{cmd};
}

sub start_job {
  my ($id, $strings, $nargs, $nenv, $input) = @_;
  my ($pid, $fh);
  if (@spares) {
    ($pid, $fh) = @{ shift @spares };
    # (One that is gone, killed by someone, is dropped.)
    if (waitpid($pid, 1) == $pid) { close $_ for values %$fh; ($pid, $fh) = fork_child(); }
  } else {
    ($pid, $fh) = fork_child();
  }
  if (!defined $pid) { my $m = $fh; put("fail $id " . length($m) . "\n", $m); return; }
  send_command($fh, "$nargs $nenv $strings");
  my $job = { id => $id, pid => $pid, out => '', err => '', input => '', inoff => 0, fh => $fh };
  $jobs{$id} = $job;
  $byfd{fileno $fh->{out}} = [$job, 'out'];
  $byfd{fileno $fh->{err}} = [$job, 'err'];
  $byfd{fileno $fh->{exec}} = [$job, 'exec'];
  feed_job($job, $input) if defined $input;
}

# The child's input: written as its pipe takes it, then its stdin is closed.
sub feed_job {
  my ($job, $input) = @_;
  my $in = $job->{fh}{in} or return;
  $job->{input} = $input;
  if (length $input) { $byfd{fileno $in} = [$job, 'in']; } else { close_fh($job, 'in'); }
}

sub close_fh {
  my ($job, $which) = @_;
  my $fh = delete $job->{fh}{$which} or return;
  delete $byfd{fileno $fh};
  close $fh;
}

sub sysctl_path {
  my $p = shift;
  return undef unless $p =~ m{^net(/[A-Za-z0-9_.+-]+)+$} && $p !~ m{(^|/)\.\.?(/|$)};
  return "/proc/sys/$p";
}
sub read_value {
  my $path = shift;
  open(my $f, '<', $path) or return (undef, "$!");
  my $v = do { local $/; <$f> };
  close $f;
  return (undef, 'read failed') unless defined $v;
  $v =~ s/\s+$//;
  return ($v, undef);
}
sub sysctl_request {
  my ($kind, $id, $body) = @_;
  my @f = split(/\0/, $body, -1);
  pop @f;
  my $netns = shift(@f) // '';
  my @out;
  my $why = enter_ns($netns);
  if (defined $why) {
    push @out, 'err', $why;
  } elsif ($kind eq 'sysread') {
    for my $p (@f) {
      my $path = sysctl_path($p);
      my ($v, $e) = defined $path ? read_value($path) : (undef, 'invalid sysctl path');
      push @out, defined $v ? ('ok', $v) : ('err', $e);
    }
  } else {
    while (@f >= 2) {
      my ($p, $value) = splice(@f, 0, 2);
      my $path = sysctl_path($p);
      if (!defined $path || $value =~ /[\0\n]/) { push @out, 'err', "invalid sysctl $p"; last; }
      my ($old, $e) = read_value($path);
      if (!defined $old) { push @out, 'err', "cannot read $path: $e"; last; }
      if ($old ne $value) {
        my $ok = open(my $w, '>', $path);
        $ok = defined syswrite($w, "$value\n") if $ok;
        if (!$ok) { push @out, 'err', "cannot write $value to $path: $!"; last; }
        close $w;
      }
      push @out, 'ok', $old;
    }
  }
  leave_ns() if $netns ne '' && !defined $why;
  my $s = join('', map { "$_\0" } @out);
  put("sysctl $id " . length($s) . "\n", $s);
}

# One complete request from $inbuf, if there is one.
sub next_request {
  my $nl = index($inbuf, "\n");
  return 0 if $nl < 0;
  my @h = split(/ /, substr($inbuf, 0, $nl));
  my $kind = $h[0];
  if ($kind eq 'run') {
    my ($id, $nargs, $nenv, $strlen, $inlen) = @h[1 .. 5];
    my $deferred = $inlen < 0;
    $inlen = 0 if $deferred;
    return 0 if length($inbuf) < $nl + 1 + $strlen + $inlen;
    my $strings = substr($inbuf, $nl + 1, $strlen);
    my $input = $deferred ? undef : substr($inbuf, $nl + 1 + $strlen, $inlen);
    substr($inbuf, 0, $nl + 1 + $strlen + $inlen) = '';
    start_job($id, $strings, $nargs, $nenv, $input);
  } elsif ($kind eq 'feed') {
    my ($id, $len) = @h[1 .. 2];
    return 0 if length($inbuf) < $nl + 1 + $len;
    my $input = substr($inbuf, $nl + 1, $len);
    substr($inbuf, 0, $nl + 1 + $len) = '';
    feed_job($jobs{$id}, $input) if $jobs{$id};
  } elsif ($kind eq 'kill') {
    substr($inbuf, 0, $nl + 1) = '';
    my $job = $jobs{$h[1]};
    kill(int($h[2]), $job->{pid}) if $job && !defined $job->{status};
  } elsif ($kind eq 'sysctl' || $kind eq 'sysread') {
    my ($id, $len) = @h[1 .. 2];
    return 0 if length($inbuf) < $nl + 1 + $len;
    my $body = substr($inbuf, $nl + 1, $len);
    substr($inbuf, 0, $nl + 1 + $len) = '';
    sysctl_request($kind, $id, $body);
  } else {
    fatal("unknown request '$kind'");
  }
  return 1;
}

while ($stdin_open || %jobs) {
  my ($rin, $win) = ('', '');
  vec($rin, 0, 1) = 1 if $stdin_open;
  vec($rin, fileno $chld_r, 1) = 1;
  my $poll;
  # Idle for 10 ms with no spare: make one then, so a burst of commands never waits for it.
  my $want_spare = @spares < $SPARES && $stdin_open && !%jobs;
  $poll = 0.01 if $want_spare;
  for my $job (values %jobs) {
    my $fh = $job->{fh};
    vec($rin, fileno $fh->{out}, 1) = 1 if $fh->{out};
    vec($rin, fileno $fh->{err}, 1) = 1 if $fh->{err};
    vec($rin, fileno $fh->{exec}, 1) = 1 if $fh->{exec};
    vec($win, fileno $fh->{in}, 1) = 1 if $fh->{in} && $byfd{fileno $fh->{in}};
    next if $fh->{out} || $fh->{err};
    # A child whose pipes are closed is about to exit, and its SIGCHLD wakes select. The poll is
    # a fallback only (and what notices one that closed them and runs on).
    my $every = 0.02;
    $poll = $every if !defined $poll || $every < $poll;
  }
  my $n = select(my $rout = $rin, my $wout = $win, undef, $poll);
  # Interrupted (a SIGCHLD): nothing to read, but children to reap below.
  if ($n < 0) { fatal("select: $!") unless $! == $EINTR; $n = 0; }
  elsif ($n == 0 && $want_spare) { my ($pid, $fh) = fork_child(); push @spares, [$pid, $fh] if defined $pid; }
  if ($n > 0) {
    if (vec($rout, fileno $chld_r, 1)) { sysread($chld_r, my $drained, 64); $chld_pending = 0; }
    if ($stdin_open && vec($rout, 0, 1)) {
      my $got = sysread(STDIN, $inbuf, 65536, length $inbuf);
      if (!defined $got) { fatal("read: $!") unless $! == $EINTR; }
      elsif ($got == 0) { $stdin_open = 0; }
      1 while next_request();
      # Node is done with us (close(), or it exited): input that was to come later never will,
      # so a child still waiting for it gets EOF rather than waiting for ever.
      unless ($stdin_open) {
        for my $job (values %jobs) { my $in = $job->{fh}{in}; close_fh($job, 'in') if $in && !$byfd{fileno $in}; }
      }
    }
    for my $fd (keys %byfd) {
      my $entry = $byfd{$fd} or next;
      my ($job, $which) = @$entry;
      if ($which eq 'in') {
        next unless vec($wout, $fd, 1);
        my $chunk = substr($job->{input}, $job->{inoff}, 4096);
        my $w = syswrite($job->{fh}{in}, $chunk);
        if (!defined $w) { close_fh($job, 'in') unless $! == $EINTR; next; }
        $job->{inoff} += $w;
        close_fh($job, 'in') if $job->{inoff} >= length $job->{input};
      } elsif ($which eq 'exec') {
        next unless vec($rout, $fd, 1);
        my $got = sysread($job->{fh}{exec}, my $byte, 1);
        next if !defined $got && $! == $EINTR;
        put("started $job->{id}\n") if defined $got && $got == 0;
        close_fh($job, 'exec');
      } elsif (vec($rout, $fd, 1)) {
        my $got = sysread($job->{fh}{$which}, $job->{$which}, 65536, length $job->{$which});
        close_fh($job, $which) if defined $got && $got == 0;
      }
    }
  }
  for my $job (values %jobs) {
    next if $job->{fh}{out} || $job->{fh}{err};
    my $r = waitpid($job->{pid}, 1);
    next unless $r == $job->{pid};
    close_fh($job, 'in');
    close_fh($job, 'exec');
    my $st = $?;
    my ($code, $sig) = ($st & 127) ? (-1, $st & 127) : ($st >> 8, 0);
    put("done $job->{id} $code $sig " . length($job->{out}) . ' ' . length($job->{err}) . "\n", $job->{out}, $job->{err});
    delete $jobs{$job->{id}};
  }
}
# A spare that was not needed reads EOF and exits.
for (@spares) { my ($pid, $fh) = @$_; close $_ for values %$fh; waitpid($pid, 0); }
`;
