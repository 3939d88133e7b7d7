/**
 * Text to LaTeX (pdflatex with T1 fontenc and lmodern): escaping of plain text and code, and
 * the names of the statistic macros. Everything data can contain must come out as the very
 * text, never as markup, and never as a character pdflatex cannot typeset.
 */

/** Characters with a meaning in LaTeX, as commands that print them. */
const SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
  // Braced: after \\ or \item a bare [ would open an optional argument.
  '[': '{[}',
  ']': '{]}',
  // Safe in any font encoding, and not a ligature (T1's << and >> are guillemets).
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '"': '\\textquotedbl{}',
  '`': '\\textasciigrave{}',
};

/**
 * Characters beyond Latin-1 that the report itself writes, as commands of the LaTeX kernel
 * (TS1 text companion symbols are in the kernel since 2020).
 */
const UNICODE: Record<string, string> = {
  '–': '\\textendash{}',
  '—': '\\textemdash{}',
  '‘': '\\textquoteleft{}',
  '’': '\\textquoteright{}',
  '“': '\\textquotedblleft{}',
  '”': '\\textquotedblright{}',
  '…': '\\textellipsis{}',
  '•': '\\textbullet{}',
  '×': '\\texttimes{}',
  '÷': '\\textdiv{}',
  '±': '\\textpm{}',
  '·': '\\textperiodcentered{}',
  '−': '\\textminus{}',
  '→': '\\textrightarrow{}',
  '←': '\\textleftarrow{}',
  'µ': '\\textmu{}',
  'μ': '\\textmu{}',
  '°': '\\textdegree{}',
  '≤': '\\ensuremath{\\leq}',
  '≥': '\\ensuremath{\\geq}',
  '≈': '\\ensuremath{\\approx}',
  '\u00a0': '~',
};

/**
 * Plain text as LaTeX that prints exactly that text. Whitespace runs become one space;
 * control characters are dropped; Latin-1 letters pass through (utf8 input with T1 fonts
 * typesets them); any other character is written as its code point, "[U+2713]", rather than
 * stopping pdflatex with "Unicode character not set up".
 */
export function escapeLatex(value: string): string {
  let out = '';
  const chars = [...value.replace(/\s+/g, ' ')];
  chars.forEach((char, index) => {
    const code = char.codePointAt(0) ?? 0;
    if (SPECIALS[char] !== undefined) out += SPECIALS[char];
    else if (UNICODE[char] !== undefined) out += UNICODE[char];
    // -- and --- are en and em dashes in T1: keep hyphens apart.
    else if (char === '-') out += chars[index + 1] === '-' ? '-{}' : '-';
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code >= 0xa1 && code <= 0xff) out += char;
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += '';
    else out += `[U+${code.toString(16).toUpperCase().padStart(4, '0')}]`;
  });
  return out;
}

/**
 * Code as LaTeX: monospace, escaped, straight quotes, with a break allowed after path
 * separators and commas so a long command wraps in a table column instead of running off
 * the page.
 */
export function escapeLatexCode(value: string): string {
  const escaped = [...value.replace(/\s+/g, ' ').trim()]
    .map((char) => {
      if (char === "'") return '\\textquotesingle{}';
      if (char === '/' || char === ',' || char === '=' || char === ':') return `${char}\\allowbreak{}`;
      return escapeLatex(char);
    })
    .join('')
    // A hyphen followed by a hyphen must not become a dash (escapeLatex sees one at a time).
    .replace(/-(?=-)/g, '-{}');
  return `\\texttt{${escaped}}`;
}

const DIGIT_WORDS = ['Zero', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine'];

/**
 * The macro name of a statistic, from the words naming it: "crb" and each word capitalised,
 * letters only (TeX control words cannot hold digits or punctuation). Digits are spelled
 * out one by one, other characters separate words, accents are dropped:
 * ['runc', 'ext4', 'launch', 'median ms'] → crbRuncExtFourLaunchMedianMs,
 * ['crun', 'conc 16', 'p95 ms'] → crbCrunConcOneSixPNineFiveMs.
 */
export function macroName(words: readonly string[]): string {
  const parts = words.flatMap((word) =>
    word
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .split(/[^A-Za-z0-9]+/)
      .flatMap((token) => token.match(/[A-Za-z]+|[0-9]/g) ?? []),
  );
  return `crb${parts.map((part) => (/^[0-9]$/.test(part) ? DIGIT_WORDS[Number(part)] : part.charAt(0).toUpperCase() + part.slice(1))).join('')}`;
}

/**
 * The macros of one document: each statistic (by its words) gets one name and one value.
 * Two statistics whose words give the same name (say, "a-b" and "a b") are told apart by a
 * suffix, the later one getting "VariantTwo", and so on, in the order first met.
 */
export class MacroTable {
  private readonly byKey = new Map<string, { name: string; value: string }>();
  private readonly names = new Set<string>();

  /** The macro for a statistic; the same words always give the same macro. */
  use(words: readonly string[], value: string): string {
    const key = words.join('\u0000');
    const known = this.byKey.get(key);
    if (known) {
      if (known.value !== value) {
        throw new Error(`statistic ${words.join(' ')} has two values in one report: ${known.value} and ${value}`);
      }
      return known.name;
    }
    const base = macroName(words);
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}Variant${[...String(n)].map((d) => DIGIT_WORDS[Number(d)]).join('')}`;
    this.names.add(name);
    this.byKey.set(key, { name, value });
    return name;
  }

  /** `\newcommand{\name}{value}` lines, in the order the statistics were first used. */
  definitions(): string[] {
    return [...this.byKey.values()].map(({ name, value }) => `\\newcommand{\\${name}}{${escapeLatex(value)}}`);
  }
}
