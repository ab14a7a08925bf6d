/**
 * `<levelmatch-segmented>`: one choice out of a few (a mode, a link role), as a row of joined buttons. The
 * value is the selected index. It is a radio group: Tab reaches it once (only the selected option is in the tab
 * order), arrows and Home / End select and move focus at once, as with native radio buttons.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { baseStyles, defineOnce } from '../theme.ts';
import { GestureTracker, emitInput } from './events.ts';
import { roveIndex } from './value-math.ts';

export class LevelMatchSegmented extends LitElement {
  static override properties = {
    options: { type: Array },
    value: { type: Number },
    label: { type: String },
    hideLabel: { type: Boolean, attribute: 'hide-label' },
    titles: { type: Array },
    disabled: { type: Boolean, reflect: true },
  };

  /** The options' visible labels, in order. */
  declare options: string[];
  /** The selected index; anything outside 0..options.length-1 selects nothing. */
  declare value: number;
  /** The group's accessible name, also shown small above the row unless `hideLabel`. */
  declare label: string;
  declare hideLabel: boolean;
  /** Tooltips, one per option (optional). */
  declare titles: string[] | undefined;
  declare disabled: boolean;

  private readonly gesture = new GestureTracker(this);

  constructor() {
    super();
    this.options = [];
    this.value = 0;
    this.label = '';
    this.hideLabel = false;
    this.titles = undefined;
    this.disabled = false;
  }

  static override styles = [
    baseStyles,
    css`
      :host { display: inline-block; vertical-align: top; user-select: none; -webkit-user-select: none; }
      :host([disabled]) { opacity: 0.42; }
      .label {
        display: block;
        margin-bottom: 3px;
        font-size: 9.5px;
        line-height: 12px;
        font-weight: 600;
        letter-spacing: 0.07em;
        text-transform: uppercase;
        color: var(--_dim);
        white-space: nowrap;
      }
      .group {
        display: inline-flex;
        gap: 2px;
        padding: 2px;
        background: var(--_panel);
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
        box-shadow: inset 0 1px 2px rgb(0 0 0 / 0.35);
      }
      button {
        min-width: 28px;
        height: 22px;
        margin: 0;
        padding: 0 var(--lm-option-padding, 9px);
        border: 1px solid transparent;
        border-radius: calc(var(--_radius) - 2px);
        background: transparent;
        color: var(--_dim);
        font: 600 11px/1 var(--_font);
        letter-spacing: 0.02em;
        white-space: nowrap;
        cursor: pointer;
      }
      button:focus-visible { outline-offset: 1px; }
      button:hover:not(:disabled) { color: var(--_text); background: rgb(255 255 255 / 0.04); }
      button[aria-checked='true'] {
        color: var(--_accent);
        background: var(--_panel2);
        border-color: var(--_line);
        box-shadow: 0 1px 2px rgb(0 0 0 / 0.4);
      }
      button[aria-checked='true']:hover:not(:disabled) { color: var(--_accent); background: var(--_panel2); }
      button:disabled { cursor: default; }
    `,
  ];

  override render(): TemplateResult {
    const selected = this.selectedIndex();
    // With nothing selected the first option takes the tab stop, so the group stays reachable.
    const tabStop = selected >= 0 ? selected : 0;
    const showLabel = this.label !== '' && !this.hideLabel;
    return html`
      ${showLabel ? html`<span class="label" part="label" aria-hidden="true">${this.label}</span>` : nothing}
      <div
        class="group"
        part="group"
        role="radiogroup"
        aria-label=${this.label || nothing}
        aria-disabled=${this.disabled ? 'true' : nothing}
        @keydown=${this.onKeyDown}
      >
        ${this.options.map(
          (text, i) => html`<button
            type="button"
            part="option"
            role="radio"
            data-index=${i}
            aria-checked=${i === selected ? 'true' : 'false'}
            tabindex=${i === tabStop ? 0 : -1}
            title=${this.titles?.[i] || nothing}
            ?disabled=${this.disabled}
            @click=${this.onClick}
          >${text}</button>`,
        )}
      </div>
    `;
  }

  private selectedIndex(): number {
    const v = this.value;
    return Number.isInteger(v) && v >= 0 && v < this.options.length ? v : -1;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.gesture.reset();
  }

  /** A user choice: selects, then tells the root inside a gesture. No event when it is already selected. */
  private select(index: number): void {
    if (this.disabled || index === this.selectedIndex()) return;
    this.gesture.pulse(() => {
      this.value = index;
      emitInput(this, index);
    });
  }

  private onClick = (e: MouseEvent): void => {
    const index = Number((e.currentTarget as HTMLElement).dataset.index);
    this.select(index);
  };

  private onKeyDown = (e: KeyboardEvent): void => {
    if (this.disabled || e.altKey || e.ctrlKey || e.metaKey) return;
    const from = e.target instanceof HTMLElement && e.target.dataset.index !== undefined
      ? Number(e.target.dataset.index)
      : this.selectedIndex();
    const to = roveIndex(e.key, from, this.options.length);
    if (to === null) return;
    e.preventDefault();
    this.select(to);
    this.renderRoot.querySelector<HTMLElement>(`button[data-index="${to}"]`)?.focus();
  };
}

defineOnce('levelmatch-segmented', LevelMatchSegmented);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-segmented': LevelMatchSegmented;
  }
}
