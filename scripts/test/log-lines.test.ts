import { stripVTControlCharacters as strip } from 'node:util';
import { describe, expect, it } from 'vitest';
import { colourFor } from '../lib/config.ts';
import { createRenderer, parseLevel } from '../lib/log-lines.ts';

const TIME = '2026-11-21T05:34:12.345Z';
/** pino-pretty prints the time in the local zone, as HH:MM:ss.l. */
const local = (iso: string) => {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};
const pino = (level: number, msg: string | undefined, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ level, time: TIME, service: 'json-to-api', ...(msg === undefined ? {} : { msg }), ...fields });
const coloured = (s: string | undefined) => s !== undefined && strip(s) !== s;

describe('createRenderer', () => {
  it('when lines come from several pods, then each shows its time, level, pod, message and other fields, and the service name is left out', () => {
    const render = createRenderer({ colour: false });
    const lines = [
      ['api-7d9f-abc', pino(30, 'listening', { port: 8080 })],
      ['json-to-api-5d8f-x2', pino(40, 'api answered 503, retrying', { batch: 'b1', line: 12 })],
      ['getdata-29000001-q', pino(30, 'published', { batch: 'b1', files: 2000 })],
      ['api-7d9f-def', pino(20, 'Post doc to api', { status: 200 })],
    ] as const;
    expect(lines.map(([pod, line]) => render(pod, line))).toEqual([
      `[${local(TIME)}] INFO: api-7d9f-abc listening {"port":8080}`,
      `[${local(TIME)}] WARN: json-to-api-5d8f-x2 api answered 503, retrying {"batch":"b1","line":12}`,
      `[${local(TIME)}] INFO: getdata-29000001-q published {"batch":"b1","files":2000}`,
      `[${local(TIME)}] DEBUG: api-7d9f-def Post doc to api {"status":200}`,
    ]);
  });

  it('when a line has no message, or an error, then the pod still leads and the error keeps its stack', () => {
    const render = createRenderer({ colour: false });
    expect(render('api-1', pino(30, undefined, { documents: 3 }))).toBe(`[${local(TIME)}] INFO: api-1 {"documents":3}`);
    const failed = render('json-to-api-1', pino(50, 'stop failed', { err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at stop (service.ts:1:1)' } }))!;
    expect(failed.split('\n')[0]).toBe(`[${local(TIME)}] ERROR: json-to-api-1 stop failed`);
    expect(failed).toContain('at stop (service.ts:1:1)');
  });

  it('when a line is not a pino object, then it passes through as it came, after its pod', () => {
    const render = createRenderer({ colour: false });
    for (const line of ['Error: Cannot find module', '', '42', '["a"]', '{"half":', 'null']) expect(render('api-1', line)).toBe(`api-1 ${line}`);
  });

  it('when colour is asked for, then the level and the pod are coloured, and without it there is no escape code at all', () => {
    const warn = createRenderer({ colour: true })('api-1', pino(40, 'slow'))!;
    expect(warn).toContain('\x1b[33mWARN\x1b[39m');
    expect(strip(warn)).toBe(`[${local(TIME)}] WARN: api-1 slow`);
    const plain = createRenderer({ colour: true })('api-1', 'plain')!;
    expect(plain.startsWith('\x1b[')).toBe(true);
    expect(strip(plain)).toBe('api-1 plain');
    expect(coloured(createRenderer({ colour: false })('api-1', pino(40, 'slow')))).toBe(false);
    expect(coloured(createRenderer({ colour: false })('api-1', 'plain'))).toBe(false);
  });

  it('when a minimum level is set, then JSON lines below it are left out, and lines that are not JSON or have no level are kept', () => {
    const render = createRenderer({ colour: false, minLevel: 40 });
    expect(render('api-1', pino(30, 'info'))).toBeUndefined();
    expect(render('api-1', pino(40, 'warn'))).toContain('WARN: api-1 warn');
    expect(render('api-1', pino(60, 'fatal'))).toContain('FATAL: api-1 fatal');
    expect(render('api-1', JSON.stringify({ level: 'debug', msg: 'by label' }))).toBeUndefined();
    expect(render('api-1', JSON.stringify({ msg: 'no level' }))).toContain('no level');
    expect(render('api-1', 'not json')).toBe('api-1 not json');
  });

  it('when raw JSON is asked for, then every line comes as it was, with no pod and no colour, and the level still filters', () => {
    const render = createRenderer({ colour: true, json: true, minLevel: 40 });
    const warn = pino(40, 'warn');
    expect(render('api-1', warn)).toBe(warn);
    expect(render('api-1', pino(30, 'info'))).toBeUndefined();
    expect(render('api-1', 'not json')).toBe('not json');
  });
});

describe('parseLevel', () => {
  it("when given one of pino's names or numbers, then it answers the number", () => {
    expect(['trace', 'debug', 'info', 'WARN', 'error', 'fatal'].map(parseLevel)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(parseLevel('40')).toBe(40);
  });

  it('when given anything else, then it answers undefined', () => {
    for (const value of ['warning', '35', '', 'silent']) expect(parseLevel(value)).toBeUndefined();
  });
});

describe('colourFor', () => {
  it.each([
    ['a terminal', true, {}, true],
    ['a pipe', false, {}, false],
    ['a terminal with NO_COLOR', true, { NO_COLOR: '1' }, false],
    ['a terminal with an empty NO_COLOR', true, { NO_COLOR: '' }, true],
    ['a dumb terminal', true, { TERM: 'dumb' }, false],
    ['a pipe with FORCE_COLOR=1', false, { FORCE_COLOR: '1' }, true],
    ['a terminal with FORCE_COLOR=0', true, { FORCE_COLOR: '0' }, false],
    ['a terminal with NO_COLOR and FORCE_COLOR=1', true, { NO_COLOR: '1', FORCE_COLOR: '1' }, true],
  ])('when writing to %s, then colour is %s', (_where, isTTY, vars, expected) => {
    expect(colourFor({ isTTY }, vars)).toBe(expected);
  });
});
