/** What an XML part holds past the bounds of XmlGuard. */
export type XmlOverrun = 'text' | 'markup' | 'doctype';

export interface XmlBounds {
  /** Longest run of character data (text or CDATA) between two tags. */
  maxTextChars: number;
  /** Longest tag (with its attributes), comment or processing instruction. */
  maxMarkupChars: number;
}

type State = 'text' | 'open' | 'tag' | 'comment' | 'cdata' | 'pi';

/**
 * Looks at XML text before the parser does, and stops it when a single piece would make the
 * parser hold more than the bounds: saxes gathers a text, a tag, a comment or a CDATA section
 * whole before handing it on, so a 3 GiB cell would be held in memory (and fail with "Invalid
 * string length"). A DOCTYPE is refused: workbooks never declare one (ECMA-376 Part 2 forbids
 * it), and it is where entity expansion starts.
 *
 * One pass, constant work a character (text and tags are skipped with indexOf). It only
 * measures: the parser still judges whether the XML is well formed. A tag is taken to end at
 * its first `>` even inside an attribute value; what follows is then measured as text, which
 * ends at the next `<` just as the value must (XML allows no `<` in it), so the tag the parser
 * holds stays within both bounds together.
 */
export class XmlGuard {
  private state: State = 'text';
  private length = 0;
  /** After `<`: the characters read so far that tell a tag from `<!--`, `<![CDATA[` or `<?`. */
  private lead = '';
  /** How much of the closing sequence (`-->`, `]]>` or `?>`) has been seen. */
  private closing = 0;

  constructor(
    private readonly bounds: XmlBounds,
    private readonly overrun: (what: XmlOverrun) => Error,
  ) {}

  /** Measures the next piece of the document; throws the `overrun` error when it passes a bound. */
  check(chunk: string): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'text') i = this.textAndTags(chunk, i);
      else if (this.state === 'tag') {
        const gt = chunk.indexOf('>', i);
        const end = gt < 0 ? chunk.length : gt + 1;
        this.grow(end - i, 'markup');
        if (gt >= 0) this.enter('text');
        i = end;
      } else if (this.state === 'open') {
        i = this.classify(chunk, i);
      } else {
        i = this.skipTo(chunk, i);
      }
    }
  }

  /**
   * The common run of a part, text then a tag then text, in one loop of indexOf calls (it is
   * most of the cost of the guard); returns where another state starts, or the chunk's end.
   */
  private textAndTags(chunk: string, from: number): number {
    const { maxTextChars, maxMarkupChars } = this.bounds;
    let i = from;
    for (;;) {
      const lt = chunk.indexOf('<', i);
      // A text's length leaves out the `<` after it.
      this.length += (lt < 0 ? chunk.length : lt) - i;
      if (this.length > maxTextChars) throw this.overrun('text');
      if (lt < 0) return chunk.length;
      const next = chunk.charCodeAt(lt + 1);
      // `<!`, `<?` or a chunk's end after `<`: classify() reads on.
      if (next === 0x21 || next === 0x3f || Number.isNaN(next)) {
        this.enter('open');
        return lt + 1;
      }
      const gt = chunk.indexOf('>', lt + 1);
      if (gt < 0) {
        this.enter('tag');
        return lt + 1;
      }
      if (gt + 1 - (lt + 1) > maxMarkupChars) throw this.overrun('markup');
      this.length = 0;
      i = gt + 1;
    }
  }

  private enter(state: State) {
    this.state = state;
    this.length = 0;
    this.lead = '';
    this.closing = 0;
  }

  private grow(n: number, kind: 'text' | 'markup') {
    this.length += n;
    if (this.length > (kind === 'text' ? this.bounds.maxTextChars : this.bounds.maxMarkupChars)) throw this.overrun(kind);
  }

  /** Reads the characters after `<` until they tell what starts; returns where to go on. */
  private classify(chunk: string, i: number): number {
    const c = chunk[i]!;
    if (this.lead === '' && c !== '!' && c !== '?') {
      this.state = 'tag';
      return i;
    }
    this.lead += c;
    if (this.lead === '?') this.state = 'pi';
    else if (this.lead === '!--') this.state = 'comment';
    else if (this.lead === '![CDATA[') this.state = 'cdata';
    else if (!'!--'.startsWith(this.lead) && !'![CDATA['.startsWith(this.lead)) throw this.overrun('doctype');
    return i + 1;
  }

  /** Inside a comment, CDATA section or processing instruction: on to its closing sequence. */
  private skipTo(chunk: string, i: number): number {
    const [repeat, needed] = this.state === 'pi' ? ['?', 1] : this.state === 'comment' ? ['-', 2] : [']', 2];
    const kind = this.state === 'cdata' ? 'text' : 'markup';
    for (let j = i; j < chunk.length; j++) {
      const c = chunk[j]!;
      if (c === '>' && this.closing >= needed) {
        this.grow(j + 1 - i, kind);
        this.enter('text');
        return j + 1;
      }
      this.closing = c === repeat ? this.closing + 1 : 0;
    }
    this.grow(chunk.length - i, kind);
    return chunk.length;
  }
}
