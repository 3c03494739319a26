/**
 * Files and directories of a network (dnsmasq conf, hostsfile, addnhosts, pid directory): atomic
 * writes (temporary file, fsync, rename, fsync of the directory) and exact undo steps.
 *
 * dnsmasq drops to `nobody` before it reads `dhcp-hostsfile` and `addn-hosts`, so directories are
 * created 0755 and those files must be world-readable (the plan's modes say 0644); modes are set
 * with fchmod/chmod so the process umask cannot narrow them.
 *
 * The calls are synchronous on purpose: these are a few small files (microseconds on tmpfs, one
 * fsync each on disk), and doing them without yielding lets a pipelined start write them and
 * launch dnsmasq before the event loop is busy spawning the other processes.
 *
 * @module
 */
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import type { Operation } from '../../compile/plan.js';
import { HostError } from '../types.js';

/** Refuse relative paths, `..` components and NUL bytes before touching the file system. */
export function checkPath(path: string, op?: Operation): string {
  if (!isAbsolute(path) || path.includes('\0') || normalize(path) !== path || path.split('/').includes('..')) {
    throw new HostError('EINVAL', `refusing unsafe path '${path}'`, op);
  }
  return path;
}

function hostError(e: unknown, what: string, op?: Operation): HostError {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'EIO';
  return new HostError(code, `${what}: ${e instanceof Error ? e.message : String(e)}`, op);
}

/** Read a file's content and mode, or `undefined` when it does not exist. */
export async function readFileState(path: string): Promise<{ content: string; mode: number } | undefined> {
  return readFileStateSync(path);
}

function readFileStateSync(path: string): { content: string; mode: number } | undefined {
  try {
    const content = readFileSync(path, 'utf8');
    return { content, mode: statSync(path).mode & 0o7777 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Write a file atomically with the given mode; returns the undo (restore the old content and mode,
 * or remove the file when there was none).
 *
 * @example
 * const undo = await writeFileAtomic({ kind: 'file.write', path: '/run/x/a.conf', content: 'x\n', mode: 0o644 });
 */
export async function writeFileAtomic(op: Extract<Operation, { kind: 'file.write' }>): Promise<Operation[]> {
  return writeFileAtomicSync(op);
}

/** Synchronous {@link writeFileAtomic}. */
export function writeFileAtomicSync(op: Extract<Operation, { kind: 'file.write' }>): Operation[] {
  const path = checkPath(op.path, op);
  let previous: { content: string; mode: number } | undefined;
  try {
    previous = readFileStateSync(path);
  } catch (e) {
    throw hostError(e, `cannot read ${path}`, op);
  }
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      const data = Buffer.from(op.content, 'utf8');
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
      fchmodSync(fd, op.mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    syncDir(dir);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing to clean up
    }
    throw hostError(e, `cannot write ${path}`, op);
  }
  if (previous === undefined) return [{ kind: 'file.remove', path }];
  if (previous.content === op.content && previous.mode === op.mode) return [];
  return [{ kind: 'file.write', path, content: previous.content, mode: previous.mode }];
}

/** Remove a file; a missing file is not an error. Returns the undo (write it back). */
export async function removeFile(op: Extract<Operation, { kind: 'file.remove' }>): Promise<Operation[]> {
  return removeFileSync(op);
}

/** Synchronous {@link removeFile}. */
export function removeFileSync(op: Extract<Operation, { kind: 'file.remove' }>): Operation[] {
  const path = checkPath(op.path, op);
  let previous: { content: string; mode: number } | undefined;
  try {
    previous = readFileStateSync(path);
    if (previous === undefined) return [];
    unlinkSync(path);
    syncDir(dirname(path));
  } catch (e) {
    throw hostError(e, `cannot remove ${path}`, op);
  }
  return [{ kind: 'file.write', path, content: previous.content, mode: previous.mode }];
}

/**
 * Create a directory and any missing parents with `mode`; the undo removes exactly the
 * directories that were created, deepest first.
 */
export async function makeDirectory(op: Extract<Operation, { kind: 'dir.create' }>): Promise<Operation[]> {
  return makeDirectorySync(op);
}

/** Synchronous {@link makeDirectory}. */
export function makeDirectorySync(op: Extract<Operation, { kind: 'dir.create' }>): Operation[] {
  const path = checkPath(op.path, op);
  const missing: string[] = [];
  for (let p = path; p !== '/'; p = dirname(p)) {
    try {
      const st = statSync(p);
      if (!st.isDirectory()) throw new HostError('ENOTDIR', `${p} exists and is not a directory`, op);
      break;
    } catch (e) {
      if (e instanceof HostError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw hostError(e, `cannot stat ${p}`, op);
      missing.push(p);
    }
  }
  const created: string[] = [];
  try {
    for (const p of missing.reverse()) {
      mkdirSync(p, { mode: op.mode });
      created.push(p);
      chmodSync(p, op.mode);
    }
  } catch (e) {
    for (const p of created.reverse()) {
      try {
        rmdirSync(p);
      } catch {
        // leave it
      }
    }
    throw hostError(e, `cannot create ${path}`, op);
  }
  return created.reverse().map((p) => ({ kind: 'dir.remove', path: p }));
}

/** Remove a directory if it exists and is empty (a non-empty one is left alone and reported). */
export async function removeDirectory(op: Extract<Operation, { kind: 'dir.remove' }>): Promise<Operation[]> {
  return removeDirectorySync(op);
}

/** Synchronous {@link removeDirectory}. */
export function removeDirectorySync(op: Extract<Operation, { kind: 'dir.remove' }>): Operation[] {
  const path = checkPath(op.path, op);
  let mode: number;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw hostError(e, `cannot stat ${path}`, op);
  }
  try {
    rmdirSync(path);
  } catch (e) {
    throw hostError(e, `cannot remove directory ${path}`, op);
  }
  return [{ kind: 'dir.create', path, mode }];
}

function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
