// Runs the real `ls -l` (not an imitation) over a chunk of paths. The C locale fixes month
// names and the date form; literal quoting prints names as they are, spaces and all.
import { execa } from 'execa';

export async function lsLong(paths: string[]): Promise<{ listing: Buffer; missing: number }> {
  const result = await execa('ls', ['-ld', '--quoting-style=literal', '--', ...paths], {
    env: { LC_ALL: 'C' },
    extendEnv: true,
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
  });
  // ls exits 2 when a path vanished between the walk and the listing; the rest is still good.
  if (result.exitCode !== 0 && result.exitCode !== 2) {
    throw new Error(`ls failed with exit code ${result.exitCode}: ${Buffer.from(result.stderr).toString().slice(0, 500)}`);
  }
  const missing = Buffer.from(result.stderr).toString().split('\n').filter(Boolean).length;
  return { listing: Buffer.from(result.stdout), missing };
}
