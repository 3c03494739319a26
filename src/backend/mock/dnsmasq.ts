/**
 * dnsmasq on the in-memory host: it needs its `--conf-file` to exist, cannot bind an interface
 * another dnsmasq already serves, and writes its pidfile (whose directory must exist) once it
 * runs. Stopping it kills the process and removes the pidfile.
 *
 * @module
 */
import type { Operation, StartDnsmasqOp, StopDnsmasqOp } from '../../compile/plan.js';
import { checkPath, parentOf } from './files.js';
import { fail, type MockHostData } from './state.js';

const CONF_FILE = '--conf-file=';

/** `dnsmasq.start`: the undo stops it (and puts back a pidfile that was there before). */
export function startDnsmasq(data: MockHostData, op: StartDnsmasqOp): Operation[] {
  if (op.binary === '') fail('ENOENT', 'dnsmasq binary path is empty', op);
  checkPath(op.pidfile, op);
  const existing = data.files.get(op.pidfile);
  const running = existing === undefined ? undefined : data.processes.get(Number.parseInt(existing.content.trim(), 10));
  if (running) fail('EEXIST', `dnsmasq for network '${op.network}' is already running (pid ${running.pid}, ${op.pidfile})`, op);
  const confArg = op.args.find((a) => a.startsWith(CONF_FILE));
  if (confArg === undefined) fail('ECOMMAND', `dnsmasq for network ${op.network}: no ${CONF_FILE} argument`, op);
  const confFile = confArg.slice(CONF_FILE.length);
  const conf = data.files.get(confFile);
  if (!conf) fail('ECOMMAND', `dnsmasq: cannot read ${confFile}: No such file or directory`, op);
  const interfaces = conf.content
    .split('\n')
    .filter((line) => line.startsWith('interface='))
    .map((line) => line.slice('interface='.length).trim());
  for (const other of data.processes.values()) {
    const shared = other.interfaces.find((i) => interfaces.includes(i));
    if (shared !== undefined) {
      fail('ECOMMAND', `dnsmasq: failed to create listening socket on ${shared}: Address already in use (pid ${other.pid}, network ${other.network})`, op);
    }
  }
  if (!data.dirs.has(parentOf(op.pidfile))) fail('ECOMMAND', `dnsmasq: cannot open or create pid file ${op.pidfile}: No such file or directory`, op);
  const pid = data.nextPid++;
  data.processes.set(pid, { pid, binary: op.binary, args: [...op.args], env: { ...op.env }, network: op.network, pidfile: op.pidfile, confFile, interfaces });
  const previous = existing;
  data.files.set(op.pidfile, { content: `${pid}\n`, mode: 0o644 });
  const undo: Operation[] = [{ kind: 'dnsmasq.stop', network: op.network, pidfile: op.pidfile }];
  if (previous) undo.push({ kind: 'file.write', path: op.pidfile, content: previous.content, mode: previous.mode });
  return undo;
}

/** `dnsmasq.stop`: ENOENT without a pidfile, ESRCH when its pid runs nothing; the undo starts it again. */
export function stopDnsmasq(data: MockHostData, op: StopDnsmasqOp): Operation[] {
  const pidfile = data.files.get(op.pidfile);
  if (!pidfile) fail('ENOENT', `cannot read pidfile ${op.pidfile}: No such file or directory`, op);
  const pid = Number.parseInt(pidfile.content.trim(), 10);
  const process = data.processes.get(pid);
  if (!process) fail('ESRCH', `no process ${pidfile.content.trim()} (from ${op.pidfile})`, op);
  data.processes.delete(pid);
  data.files.delete(op.pidfile);
  return [{ kind: 'dnsmasq.start', network: process.network, binary: process.binary, args: process.args, env: process.env, pidfile: process.pidfile }];
}
