// Parses one line of real-world `ls -l` output (GNU coreutils or busybox): names with spaces
// or quotes, symlinks, device numbers, both date forms, ISO dates, `total` lines and
// permission strings carrying ACL (+), SELinux (.) or setuid/sticky (s, t) marks.

export interface LsEntry {
  mod: string;
  no: string;
  user: string;
  group: string;
  /** The size, or `major, minor` for a device file. */
  usrno: string;
  date: string;
  file: string;
  /** Where a symlink points. */
  target?: string;
}

export type ParsedLine = { kind: 'entry'; entry: LsEntry } | { kind: 'skip' } | { kind: 'error'; reason: string };

const MODE = /^[-bcdlpsDnC?][-rwxsStTlL]{9}[.+@]?(?=\s)/;
const MONTH_DATE = String.raw`[A-Z][a-z]{2}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})`;
const ISO_DATE = String.raw`\d{4}-\d{2}-\d{2}(?:\s+\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s+[+-]\d{4})?)?`;
const FIELDS = new RegExp(
  String.raw`^\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+,\s*\d+|\d+)\s+(${MONTH_DATE}|${ISO_DATE}) (.*)$`,
);
const TOTAL = /^total\s+\d+(?:[.,]\d+)?[KMGTP]?$/;

export function parseLsLine(line: string): ParsedLine {
  if (line.trim() === '' || TOTAL.test(line)) return { kind: 'skip' };
  if (line.includes('\0')) return { kind: 'error', reason: 'binary data: the line contains a NUL byte' };
  const mode = MODE.exec(line);
  if (!mode) return { kind: 'error', reason: 'not an ls -l line: it does not start with a permission string such as -rw-r--r--' };
  const fields = FIELDS.exec(line.slice(mode[0].length));
  if (!fields) return { kind: 'error', reason: 'not an ls -l line: expected links, owner, group, size and date after the permissions' };
  const [, no, user, group, size, date, name] = fields as unknown as string[];
  if (!name) return { kind: 'error', reason: 'not an ls -l line: the file name is missing' };
  const entry: LsEntry = {
    mod: mode[0],
    no: no!,
    user: user!,
    group: group!,
    usrno: size!.replace(/,\s*/, ', '),
    date: date!.replace(/\s+/g, ' '),
    file: name,
  };
  const arrow = mode[0].startsWith('l') ? name.indexOf(' -> ') : -1;
  if (arrow > 0) {
    entry.file = name.slice(0, arrow);
    entry.target = name.slice(arrow + 4);
  }
  return { kind: 'entry', entry };
}
