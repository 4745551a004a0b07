export type ParseCommandLineReturnType = { ok: true; argv: string[] } | { ok: false; message: string };

/**
 * Splits a command line into argv the way a POSIX shell splits words, without running a shell:
 * blanks separate words; '…' is literal; "…" keeps blanks and honours \" \\ \$ \`; a backslash
 * outside quotes escapes the next character. Expansions ($VAR, globs, pipes) are NOT performed;
 * wrap the command in `sh -c '…'` to get them.
 */
export function parseCommandLine(line: string): ParseCommandLineReturnType {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, message: 'unterminated single quote' };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
      if (!closed) return { ok: false, message: 'unterminated double quote' };
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return { ok: false, message: 'trailing backslash' };
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, message: 'empty command line' };
  return { ok: true, argv };
}
