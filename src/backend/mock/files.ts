/**
 * Files and directories of the in-memory host, with the file system's rules: absolute normalised
 * paths, a file needs its directory (ENOENT), a directory is removed only when empty (ENOTEMPTY).
 *
 * @module
 */
import type { MakeDirectoryOp, Operation, RemoveDirectoryOp, RemoveFileOp, WriteFileOp } from '../../compile/plan.js';
import { fail, type MockHostData } from './state.js';

/** Refuse a path that is not absolute and normalised (no `.`/`..`/empty parts, no NUL). */
export function checkPath(path: string, op?: Operation): void {
  if (!path.startsWith('/') || path.includes('\0')) fail('EINVAL', `path '${path}' is not absolute`, op);
  if (path === '/') return;
  for (const part of path.slice(1).split('/')) {
    if (part === '' || part === '.' || part === '..') fail('EINVAL', `path '${path}' is not normalised`, op);
  }
}

/** The directory holding `path` (`/` for a top-level entry). */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function checkMode(mode: number, op: Operation): void {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) fail('EINVAL', `mode ${mode} is not a file mode`, op);
}

/** `dir.create`: like `mkdir -p`; the undo removes exactly the directories it made, deepest first. */
export function makeDirectory(data: MockHostData, op: MakeDirectoryOp): Operation[] {
  checkPath(op.path, op);
  checkMode(op.mode, op);
  const missing: string[] = [];
  for (let dir = op.path; !data.dirs.has(dir); dir = parentOf(dir)) {
    if (data.files.has(dir)) fail('ENOTDIR', `mkdir: cannot create directory '${op.path}': '${dir}' is a file`, op);
    missing.push(dir);
  }
  for (let i = missing.length - 1; i >= 0; i--) data.dirs.add(missing[i]!);
  return missing.map((path) => ({ kind: 'dir.remove', path }));
}

/** `dir.remove`: ENOENT when absent, ENOTEMPTY when something is inside. */
export function removeDirectory(data: MockHostData, op: RemoveDirectoryOp): Operation[] {
  checkPath(op.path, op);
  if (op.path === '/') fail('EBUSY', 'rmdir: cannot remove /', op);
  if (!data.dirs.has(op.path)) fail('ENOENT', `rmdir: failed to remove '${op.path}': No such file or directory`, op);
  const inside = op.path + '/';
  for (const entry of [...data.dirs, ...data.files.keys()]) {
    if (entry.startsWith(inside)) fail('ENOTEMPTY', `rmdir: failed to remove '${op.path}': Directory not empty`, op);
  }
  data.dirs.delete(op.path);
  return [{ kind: 'dir.create', path: op.path, mode: 0o755 }];
}

/** `file.write`: the directory must exist; the undo restores the old content and mode, or removes the file. */
export function writeFile(data: MockHostData, op: WriteFileOp): Operation[] {
  checkPath(op.path, op);
  checkMode(op.mode, op);
  if (data.dirs.has(op.path)) fail('EISDIR', `cannot write '${op.path}': Is a directory`, op);
  if (!data.dirs.has(parentOf(op.path))) fail('ENOENT', `cannot write '${op.path}': No such file or directory (missing ${parentOf(op.path)})`, op);
  const previous = data.files.get(op.path);
  data.files.set(op.path, { content: op.content, mode: op.mode });
  if (previous) return [{ kind: 'file.write', path: op.path, content: previous.content, mode: previous.mode }];
  return [{ kind: 'file.remove', path: op.path }];
}

/** `file.remove`: ENOENT when absent; the undo writes it back. */
export function removeFile(data: MockHostData, op: RemoveFileOp): Operation[] {
  checkPath(op.path, op);
  const previous = data.files.get(op.path);
  if (!previous) fail('ENOENT', `cannot remove '${op.path}': No such file or directory`, op);
  data.files.delete(op.path);
  return [{ kind: 'file.write', path: op.path, content: previous.content, mode: previous.mode }];
}
