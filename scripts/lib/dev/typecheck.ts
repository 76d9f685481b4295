// Dev mode's type check: TypeScript's own watch program over the services' entry points, kept in
// memory so that a change re-checks only what it affects (about a second here, against some 16 s
// for a cold `tsc`; only a changed file's direct importers are checked again, as `tsc --watch`
// may be told to). It is told of changes by dev mode's watcher, not by watchers of its own, so
// a check always sees the change that asked for it.
import path from 'node:path';
import ts from 'typescript';

export type Change = { file: string; kind: 'add' | 'change' | 'unlink' };

export interface TypeChecker {
  /** Tells TypeScript of these changes and checks again: "file:line:col message" per error. */
  check(changes?: Change[]): string[];
  close(): void;
}

const KIND = { add: ts.FileWatcherEventKind.Created, change: ts.FileWatcherEventKind.Changed, unlink: ts.FileWatcherEventKind.Deleted };

export function formatDiagnostic(d: ts.Diagnostic, root: string): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `error TS${d.code}: ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${path.relative(root, d.file.fileName)}:${line + 1}:${character + 1} error TS${d.code}: ${text}`;
}

/** `entries`: the files to check with all they import; options from `root`/tsconfig.json. */
export function createTypeChecker(root: string, entries: string[]): TypeChecker {
  const configFile = path.join(root, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error(`cannot read ${configFile}`);
  const files = new Map<string, ts.FileWatcherCallback>();
  const dirs = new Map<string, ts.DirectoryWatcherCallback>();
  const host = ts.createWatchCompilerHost(
    entries,
    { ...parsed.options, noEmit: true, assumeChangesOnlyAffectDirectDependencies: true },
    ts.sys,
    ts.createSemanticDiagnosticsBuilderProgram,
    () => {},
    () => {},
  );
  host.watchFile = (file, callback) => {
    const key = path.resolve(file);
    files.set(key, callback);
    return { close: () => files.delete(key) };
  };
  host.watchDirectory = (dir, callback) => {
    const key = path.resolve(dir);
    dirs.set(key, callback);
    return { close: () => dirs.delete(key) };
  };
  // Without timers the program is brought up to date when asked (getProgram), not later.
  host.setTimeout = undefined;
  host.clearTimeout = undefined;
  const watch = ts.createWatchProgram(host);
  return {
    check(changes = []) {
      for (const { file, kind } of changes) {
        const key = path.resolve(file);
        files.get(key)?.(key, KIND[kind]);
        if (kind !== 'change') for (const [dir, callback] of dirs) if (key.startsWith(dir + path.sep)) callback(key);
      }
      const program = watch.getProgram();
      const diagnostics = [
        ...program.getConfigFileParsingDiagnostics(),
        ...program.getSyntacticDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...program.getSemanticDiagnostics(),
      ];
      return diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => formatDiagnostic(d, root));
    },
    close: () => watch.close(),
  };
}
