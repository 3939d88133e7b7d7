/**
 * Text to LaTeX (pdflatex with T1 fontenc and lmodern): escaping of plain text and code, and
 * the macros of the numbers an author may cite. Everything data can contain must come out as the very
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
  // The ranking figure's mark of a configuration whose isolation does not hold.
  '✗': '\\ensuremath{\\times}',
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

/** A TeX control word of letters only: what \<prefix><name> must be. */
const LETTERS = /^[A-Za-z]+$/;

/**
 * The numbers an author may cite (Span.macro) of one document: each name, with the
 * document's prefix, stands for one text. The same name with two texts is a builder's bug
 * (numbers.tex could define only one of them), and so is a name or prefix that is not
 * letters only (TeX would read the macro's name only up to the first other character).
 */
export class MacroTable {
  private readonly byName = new Map<string, string>();

  constructor(private readonly prefix: string) {
    if (!LETTERS.test(prefix)) throw new Error(`macro prefix ${JSON.stringify(prefix)} is not letters only`);
  }

  /** The full macro name (prefix + name) of a cited number; the same name must come with the same text. */
  use(name: string, value: string): string {
    if (!LETTERS.test(name)) throw new Error(`macro name ${JSON.stringify(name)} is not letters only`);
    const known = this.byName.get(name);
    if (known !== undefined && known !== value) {
      throw new Error(`macro ${this.prefix}${name} has two texts in one report: ${JSON.stringify(known)} and ${JSON.stringify(value)}`);
    }
    this.byName.set(name, value);
    return `${this.prefix}${name}`;
  }

  /** `\providecommand{\<prefix><name>}{<text>}` lines, sorted by name (so deterministic whatever the order of use). */
  definitions(): string[] {
    return [...this.byName.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `\\providecommand{\\${this.prefix}${name}}{${escapeLatex(value)}}`);
  }
}
