/**
 * `<levelmatch-toggle>`: an on/off switch (kind 'toggle', with a lamp lit in its tone when pressed) or a
 * one-shot action button (kind 'action'). A native <button> underneath, so Space and Enter work and it is
 * announced as a (toggle) button.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { baseStyles, defineOnce } from '../theme.ts';
import { GestureTracker, emitAction, emitInput } from './events.ts';

export type ToggleKind = 'toggle' | 'action';
export type ToggleTone = 'default' | 'accent' | 'warn' | 'danger';

export class LevelMatchToggle extends LitElement {
  static override properties = {
    pressed: { type: Boolean, reflect: true },
    label: { type: String },
    accessibleLabel: { type: String, attribute: 'accessible-label' },
    kind: { type: String, reflect: true },
    tone: { type: String, reflect: true },
    hint: { type: String },
    disabled: { type: Boolean, reflect: true },
  };

  declare pressed: boolean;
  /** The visible text. */
  declare label: string;
  /** The accessible name when the visible text is not enough (e.g. "Bypass gain matching"). */
  declare accessibleLabel: string | undefined;
  declare kind: ToggleKind;
  /** The colour of the pressed state. */
  declare tone: ToggleTone;
  /** A tooltip (the title attribute). */
  declare hint: string;
  declare disabled: boolean;

  private readonly gesture = new GestureTracker(this);

  constructor() {
    super();
    this.pressed = false;
    this.label = '';
    this.accessibleLabel = undefined;
    this.kind = 'toggle';
    this.tone = 'default';
    this.hint = '';
    this.disabled = false;
  }

  static override styles = [
    baseStyles,
    css`
      :host { display: inline-block; vertical-align: top; --_tone: var(--_text); }
      :host([tone='accent']) { --_tone: var(--_accent); }
      :host([tone='warn']) { --_tone: var(--_warn); }
      :host([tone='danger']) { --_tone: var(--_danger); }
      :host([disabled]) { opacity: 0.42; }
      button {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        gap: 6px;
        width: 100%;
        height: 26px;
        margin: 0;
        padding: 0 var(--lm-button-padding, 10px);
        background: var(--_panel2);
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
        box-shadow: inset 0 1px 0 rgb(255 255 255 / 0.04), 0 1px 2px rgb(0 0 0 / 0.35);
        color: var(--_text);
        font: 600 11px/1 var(--_font);
        letter-spacing: 0.03em;
        white-space: nowrap;
        cursor: pointer;
        user-select: none;
        -webkit-user-select: none;
      }
      button:hover:not(:disabled) { border-color: var(--_dim); }
      button:active:not(:disabled) { background: var(--_panel); box-shadow: inset 0 1px 2px rgb(0 0 0 / 0.4); }
      button:disabled { cursor: default; }
      .lamp {
        flex: none;
        width: 6px;
        height: 6px;
        border-radius: 50%;
        background: var(--_line);
        box-shadow: inset 0 1px 1px rgb(0 0 0 / 0.5);
      }
      button[aria-pressed='true'] {
        color: var(--_tone);
        border-color: var(--_tone);
        background: var(--_panel2);
        background: color-mix(in srgb, var(--_tone) 14%, var(--_panel2));
      }
      button[aria-pressed='true'] .lamp { background: var(--_tone); box-shadow: 0 0 5px var(--_tone); }
    `,
  ];

  override render(): TemplateResult {
    const toggle = this.kind !== 'action';
    return html`<button
      type="button"
      part="button"
      aria-pressed=${toggle ? (this.pressed ? 'true' : 'false') : nothing}
      aria-label=${this.accessibleLabel || nothing}
      title=${this.hint || nothing}
      ?disabled=${this.disabled}
      @click=${this.onClick}
      @keydown=${this.onKeyDown}
    >${toggle ? html`<span class="lamp" part="lamp" aria-hidden="true"></span>` : nothing}<span part="label">${this.label}</span></button>`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.gesture.reset();
  }

  /** A user change of a toggle, inside a gesture; nothing when it is already there. */
  private set(on: boolean): void {
    if (this.disabled || on === this.pressed) return;
    this.gesture.pulse(() => {
      this.pressed = on;
      emitInput(this, on ? 1 : 0);
    });
  }

  private onClick = (): void => {
    if (this.disabled) return;
    if (this.kind === 'action') emitAction(this);
    else this.set(!this.pressed);
  };

  private onKeyDown = (e: KeyboardEvent): void => {
    if (this.disabled || this.kind === 'action' || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.set(true);
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') {
      e.preventDefault();
      this.set(false);
    }
  };
}

defineOnce('levelmatch-toggle', LevelMatchToggle);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-toggle': LevelMatchToggle;
  }
}
