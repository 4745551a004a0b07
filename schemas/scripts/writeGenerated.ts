// The write-or-check step every schemas generator ends with: `--check` fails naming a stale file,
// otherwise the file is written only when its text changes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeGenerated(
  outFile: string,
  next: string,
  check = process.argv.includes('--check'),
): void {
  const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : undefined;
  const rel = path.relative(process.cwd(), outFile);
  if (check) {
    if (current !== next) {
      console.error(
        `${rel} is stale: regenerating would change it. Run \`npm run generate\` and commit the result.`,
      );
      process.exit(1);
    }
    console.log(`${rel} is up to date`);
  } else if (current === next) {
    console.log(`${rel} unchanged`);
  } else {
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, next);
    console.log(`wrote ${rel}`);
  }
}
