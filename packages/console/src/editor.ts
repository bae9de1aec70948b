import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';

const theme = EditorView.theme({
  '&': { minHeight: '140px', backgroundColor: '#fff', fontSize: '13px' },
  '.cm-scroller': { minHeight: '140px', fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace' },
  '&.cm-focused': { outline: 'none' },
});

/**
 * The SQL editor: CodeMirror 6 with SQL highlighting; Ctrl/Cmd-Enter runs
 * the query. It lives in a shadow root: there CodeMirror installs its styles
 * as constructed style sheets, which the Content-Security-Policy permits,
 * instead of `<style>` elements, which `style-src 'self'` refuses.
 */
export class SqlEditor {
  private readonly view: EditorView;

  constructor(host: HTMLElement, initial: string, onRun: () => void) {
    const root = host.attachShadow({ mode: 'open' });
    this.view = new EditorView({
      parent: root,
      root,
      state: EditorState.create({
        doc: initial,
        extensions: [
          theme,
          lineNumbers(),
          history(),
          bracketMatching(),
          highlightActiveLine(),
          // DuckDB's dialect is closest to PostgreSQL's among the bundled ones.
          sql({ dialect: PostgreSQL }),
          syntaxHighlighting(defaultHighlightStyle),
          placeholder('SELECT …'),
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
                onRun();
                return true;
              },
            },
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          EditorView.contentAttributes.of({ 'aria-label': 'SQL', 'data-testid': 'sql-editor' }),
        ],
      }),
    });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  set text(value: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
    this.view.focus();
  }
}
