/**
 * How wide a line of the plan review may be: what a terminal beside an
 * editor shows without wrapping it in the middle of a word.
 */
export const REVIEW_WIDTH = 120;

/**
 * A line as lines of at most `width` columns: cut after the last ", ", "; "
 * or ": " that fits in the line's last two fifths, else at the last space,
 * else at the width itself (a value with no space), each following line
 * indented four columns more than the first, so it reads as the first one's
 * continuation.
 */
export function wrapLine(line: string, width: number = REVIEW_WIDTH): string[] {
  if (line.length <= width) return [line];
  const indent = " ".repeat(line.length - line.trimStart().length + 4);
  const lines: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const start = lines.length === 0 ? line.length - line.trimStart().length : indent.length;
    const room = rest.slice(0, width + 1);
    const punctuation = Math.max(...[", ", "; ", ": "].map((mark) => room.lastIndexOf(mark)));
    const space = room.lastIndexOf(" ");
    const cut = punctuation > Math.max(start, (width * 3) / 5) ? punctuation + 1 : space > start ? space : width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = `${indent}${rest.slice(cut).trimStart()}`;
  }
  return [...lines, rest];
}
