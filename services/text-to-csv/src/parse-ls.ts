// Parses one line of real-world `ls -l` output (GNU coreutils, busybox, macOS and FreeBSD): names
// with spaces or quotes, symlinks, device numbers, month-first and day-first dates, ISO dates,
// `total` lines and permission strings carrying ACL (+), extended-attribute (@), SELinux (.)
// or setuid/sticky (s, t) marks.

export interface LsEntry {
  mod: string;
  no: string;
  user: string;
  group: string;
  /**
   * The size, or a device file's number as printed: `major, minor` (GNU, busybox; older FreeBSD
   * writes a large minor in hex, `0, 0x00000112`), or one hex value (macOS, FreeBSD 12 on).
   */
  usrno: string;
  /** As printed, runs of spaces made one: `Nov 21 10:00`, `21 Nov 2025`, `2026-11-21 05:34`. */
  date: string;
  file: string;
  /** Where a symlink points. */
  target?: string;
}

export type ParsedLine = { kind: 'entry'; entry: LsEntry } | { kind: 'skip' } | { kind: 'error'; reason: string };

// `w` is a BSD whiteout (ls -W).
const MODE = /^[-bcdlpswDnC?][-rwxsStTlL]{9}[.+@]?(?=\s)/;
const SIZE = String.raw`\d+,\s*(?:0x[0-9a-fA-F]+|\d+)|0x[0-9a-fA-F]+|\d+`;
const MONTH = String.raw`[A-Z][a-z]{2}`;
const DAY = String.raw`\d{1,2}`;
// BSD ls -T prints seconds and the year together; else a time for recent files, a year for old ones.
const TIME_OR_YEAR = String.raw`(?:\d{2}:\d{2}:\d{2}\s+\d{4}|\d{1,2}:\d{2}|\d{4})`;
// The locale decides the order: BSD ls prints the day first where the locale's date order does.
const MONTH_FIRST = String.raw`${MONTH}\s+${DAY}\s+${TIME_OR_YEAR}`;
const DAY_FIRST = String.raw`${DAY}\s+${MONTH}\s+${TIME_OR_YEAR}`;
const ISO_DATE = String.raw`\d{4}-\d{2}-\d{2}(?:\s+\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s+[+-]\d{4})?)?`;
const FIELDS = new RegExp(String.raw`^\s+(\d+)\s+(\S+)\s+(\S+)\s+(${SIZE})\s+(${MONTH_FIRST}|${DAY_FIRST}|${ISO_DATE}) (.*)$`);
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
