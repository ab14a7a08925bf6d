/**
 * `<levelmatch-knob>`: a continuous or stepped value as a small dial (variant 'knob') or a compact draggable
 * number box (variant 'field'). It owns no parameter: the root sets `value` from the host and listens for
 * `levelmatch-input` / `levelmatch-gesture` (see events.ts); setting `value` by code only re-renders.
 *
 * Pointer: vertical drag (200 px = whole range, Shift or Ctrl/Cmd 10x finer), double-click or Alt-click resets,
 * a click on the number opens a type-in box, the wheel steps. Keys on the focused slider: arrows step, PageUp /
 * PageDown step ten times, Home / End go to the ends, Enter types a value, Delete / Backspace reset.
 *
 * Typed values are read in the knob's unit, and other units of the same kind convert ("500 ms" in seconds,
 * typed-value.ts). Text that is not a value is refused visibly: the box stays open, marked aria-invalid with a
 * red outline, and a note says why (after a blur the box closes, the value is unchanged, and the note stays a
 * few seconds). A number outside the range is clamped to the nearest end, and a note says so.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { formatLevel } from '../format.ts';
import { parseTypedValue } from './typed-value.ts';
import { baseStyles, defineOnce } from '../theme.ts';
import { GestureTracker, emitInput } from './events.ts';
import {
  CLICK_SLOP_PX,
  arcOrigin,
  arcPath,
  clamp,
  dialAngle,
  dragPosition,
  effectiveKeyStep,
  polarPoint,
  positionToValue,
  quantize,
  sliderKeyAction,
  spokenValue,
  stepIncrement,
  stepValue,
  tidy,
  valueToPosition,
  wheelDirection,
} from './value-math.ts';

export type KnobVariant = 'knob' | 'field';

/** Dial geometry in SVG units, drawn 1:1 in CSS px: a 44 px square, track radius 17, pointer inside the face. */
const DIAL_PX = 44;
const CENTRE = DIAL_PX / 2;
const R_TRACK = 17;
const R_FACE = 12;
const R_POINTER_IN = 4.5;
const R_POINTER_OUT = 10.5;
const R_TICK_IN = 19.8;
const R_TICK_OUT = 21.8;
const TRACK_PATH = arcPath(CENTRE, CENTRE, R_TRACK, dialAngle(0), dialAngle(1));

/** How long a note about a typed value stays up (ms). */
const NOTICE_MS = 3500;

/** A double-click's first click opens the type-in box; the double-click takes it back within this time (ms). */
const DOUBLE_CLICK_MS = 500;

/** A press on the slider, from pointerdown to pointerup. Not reactive: a drag re-renders through `value` only. */
interface Press {
  pointerId: number;
  startX: number; // CSS px, client coordinates
  startY: number;
  lastY: number;
  pos: number; // unsnapped position (0..1) the drag has reached
  dragging: boolean; // moved past CLICK_SLOP_PX: a drag, not a click
  onValue: boolean; // pressed on the number: a click opens the type-in box
}

export class LevelMatchKnob extends LitElement {
  static override properties = {
    value: { type: Number },
    min: { type: Number },
    max: { type: Number },
    step: { type: Number },
    defaultValue: { type: Number, attribute: 'default-value' },
    keyStep: { type: Number, attribute: 'key-step' },
    taper: { type: Number },
    label: { type: String },
    units: { type: String },
    decimals: { type: Number },
    variant: { type: String, reflect: true },
    disabled: { type: Boolean, reflect: true },
    formatValue: { attribute: false },
    _editing: { state: true },
    _active: { state: true },
    _invalid: { state: true },
    _notice: { state: true },
  };

  /** The value in the parameter's unit (dB, s, LUFS, ...). */
  declare value: number;
  declare min: number;
  declare max: number;
  /** Grid for the value: 0 = continuous, 1 = integers, 0.5 = half steps ... */
  declare step: number;
  /** Where double-click, Alt-click and Delete put the value. */
  declare defaultValue: number;
  /** One arrow-key / wheel step in value units; unset (or <= 0) = a hundredth of the range, or `step`. */
  declare keyStep: number | undefined;
  /** value = min + (max-min)·n^taper for dial position n in 0..1; 2-3 gives fine control at the low end. */
  declare taper: number;
  declare label: string;
  declare units: string;
  /** Decimals of the default number format. */
  declare decimals: number;
  declare variant: KnobVariant;
  declare disabled: boolean;
  /** Replaces the default number format (value.toFixed(decimals) with a true minus sign). */
  declare formatValue: ((v: number) => string) | undefined;
  declare _editing: boolean;
  declare _active: boolean;
  /** The type-in box holds text that is not a value (shown red, aria-invalid). */
  declare _invalid: boolean;
  /** A note about the last typed value ("Not a number ...", "Out of range ..."), '' for none. */
  declare _notice: string;

  private readonly gesture = new GestureTracker(this);
  private press: Press | null = null;
  /** The text the type-in box opened with; committing it unchanged changes nothing. */
  private editSeed = '';
  private editOpenedAt = 0; // performance.now() ms
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  /** True while the note shown is about a refused value (drawn red). */
  private noticeIsError = false;

  constructor() {
    super();
    this.value = 0;
    this.min = 0;
    this.max = 1;
    this.step = 0;
    this.defaultValue = 0;
    this.keyStep = undefined;
    this.taper = 1;
    this.label = '';
    this.units = '';
    this.decimals = 1;
    this.variant = 'knob';
    this.disabled = false;
    this.formatValue = undefined;
    this._editing = false;
    this._active = false;
    this._invalid = false;
    this._notice = '';
  }

  static override styles = [
    baseStyles,
    css`
      :host {
        display: inline-block;
        width: 64px;
        vertical-align: top;
        user-select: none;
        -webkit-user-select: none;
      }
      :host([variant='field']) { width: auto; }
      :host([disabled]) { opacity: 0.42; }
      .wrap {
        position: relative;
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 1px;
      }
      .label {
        max-width: calc(100% + 10px); /* a long label may reach into the gap between knobs */
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        font-size: 9.5px;
        line-height: 12px;
        font-weight: 600;
        letter-spacing: 0.05em;
        text-transform: uppercase;
        color: var(--_dim);
      }
      .slider {
        display: flex;
        flex-direction: column;
        align-items: center;
        min-width: 100%;
        padding: 0 2px;
        border-radius: var(--_radius);
        cursor: ns-resize;
        touch-action: none;
      }
      :host([disabled]) .slider { cursor: default; }
      .dial { display: block; overflow: visible; }
      .track { fill: none; stroke: var(--_line); stroke-width: 3; stroke-linecap: round; }
      .arc { fill: none; stroke: var(--_accent); stroke-width: 3; stroke-linecap: round; }
      .tick { stroke: var(--_dim); stroke-width: 1.2; stroke-linecap: round; }
      .face { fill: var(--_panel2); stroke: var(--_line); stroke-width: 1; }
      .pointer { stroke: var(--_text); stroke-width: 2; stroke-linecap: round; }
      .slider:hover .face, .active .face { stroke: var(--_dim); }
      .active .pointer { stroke: var(--_accent); }
      :host([disabled]) .arc { stroke: var(--_dim); }
      .value {
        min-width: 100%;
        font-family: var(--_mono);
        font-size: 11px;
        line-height: 15px;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
        text-align: center;
        color: var(--_text);
        cursor: text;
      }
      :host([disabled]) .value { cursor: default; }
      .units { margin-left: 0.3em; font-size: 9.5px; color: var(--_dim); }
      .editing .value { visibility: hidden; }
      .editor[aria-invalid='true'] { border-color: var(--_danger); box-shadow: 0 0 0 1px var(--_danger); }
      .notice {
        position: absolute;
        z-index: 2;
        left: 50%;
        bottom: calc(100% + 2px);
        transform: translateX(-50%);
        width: max-content;
        max-width: 150px;
        padding: 3px 6px;
        border: 1px solid var(--_accent);
        border-radius: 3px;
        background: var(--_bg);
        color: var(--_text);
        font: 10.5px/1.3 var(--_font);
        text-align: center;
        white-space: normal;
        pointer-events: none;
      }
      .notice.error { border-color: var(--_danger); color: var(--_danger); }
      .editor {
        position: absolute;
        left: 50%;
        bottom: 0;
        transform: translateX(-50%);
        width: 64px;
        height: 17px;
        padding: 0 3px;
        border: 1px solid var(--_accent);
        border-radius: 3px;
        background: var(--_bg);
        color: var(--_text);
        font: 11px/15px var(--_mono);
        text-align: center;
        outline: none;
      }

      /* The field: a 56 x 28 box, label above, a thin bar along the bottom showing the position. */
      .field .slider {
        position: relative;
        justify-content: center;
        min-width: 56px;
        height: 28px;
        padding: 0 6px;
        overflow: hidden;
        background: var(--_panel);
        border: 1px solid var(--_line);
        box-shadow: inset 0 1px 2px rgb(0 0 0 / 0.35);
      }
      .field .slider:hover, .field.active .slider { border-color: var(--_dim); }
      .field .value { font-size: 12px; cursor: ns-resize; }
      .field .bar {
        position: absolute;
        bottom: 0;
        height: 2px;
        background: var(--_accent);
        opacity: 0.85;
      }
      :host([disabled]) .field .bar { background: var(--_dim); }
      .field .editor { width: 100%; min-width: 56px; height: 28px; border-radius: var(--_radius); font-size: 12px; }
    `,
  ];

  override render(): TemplateResult {
    const { min, max } = this;
    const text = this.displayText();
    const pos = valueToPosition(this.value, min, max, this.taper);
    const field = this.variant === 'field';
    const now = Number.isFinite(this.value) ? tidy(this.value, max - min) : min;
    const wrapClass = `wrap ${field ? 'field' : 'knob'}${this._active ? ' active' : ''}${this._editing ? ' editing' : ''}`;
    return html`
      <div class=${wrapClass} @dblclick=${this.onDblClick} @wheel=${this.onWheel}>
        ${this.label ? html`<span class="label" part="label" aria-hidden="true">${this.label}</span>` : nothing}
        <div
          class="slider"
          part="slider"
          role="slider"
          tabindex=${this.disabled ? -1 : 0}
          aria-label=${this.label || nothing}
          aria-valuemin=${min}
          aria-valuemax=${max}
          aria-valuenow=${now}
          aria-valuetext=${spokenValue(text, this.units)}
          aria-disabled=${this.disabled ? 'true' : nothing}
          @keydown=${this.onKeyDown}
          @pointerdown=${this.onPointerDown}
          @pointermove=${this.onPointerMove}
          @pointerup=${this.onPointerUp}
          @pointercancel=${this.onPointerCancel}
          @lostpointercapture=${this.onPointerCancel}
        >
          ${field ? this.renderBar(pos) : this.renderDial(pos)}
          <span class="value" part="value">${text}${this.units ? html`<span class="units">${this.units}</span>` : nothing}</span>
        </div>
        ${this._editing
          ? html`<input
              class="editor"
              part="editor"
              type="text"
              inputmode="decimal"
              spellcheck="false"
              autocomplete="off"
              aria-label=${`${this.label} value`.trim()}
              aria-invalid=${this._invalid ? 'true' : 'false'}
              aria-describedby=${this._notice ? 'notice' : nothing}
              .value=${this.editSeed}
              @input=${this.onEditorInput}
              @keydown=${this.onEditorKeyDown}
              @blur=${this.onEditorBlur}
            />`
          : nothing}
        ${this._notice
          ? html`<span id="notice" class="notice ${this.noticeIsError ? 'error' : ''}" part="notice" role="status">${this._notice}</span>`
          : nothing}
      </div>
    `;
  }

  /**
   * The dial: 270° track, value arc from min (or from zero on a bipolar range), a zero tick, face and pointer.
   * Optional parts are svg`` templates: an html`` one would create HTML-namespace elements that never draw.
   */
  private renderDial(pos: number): TemplateResult {
    const angle = dialAngle(pos);
    const origin = arcOrigin(this.min, this.max, this.taper);
    const originAngle = dialAngle(origin);
    const [x1, y1] = polarPoint(CENTRE, CENTRE, R_POINTER_IN, angle);
    const [x2, y2] = polarPoint(CENTRE, CENTRE, R_POINTER_OUT, angle);
    const bipolar = origin > 0;
    const [tx1, ty1] = polarPoint(CENTRE, CENTRE, R_TICK_IN, originAngle);
    const [tx2, ty2] = polarPoint(CENTRE, CENTRE, R_TICK_OUT, originAngle);
    const arc = arcPath(CENTRE, CENTRE, R_TRACK, originAngle, angle);
    return html`<svg class="dial" part="dial" width=${DIAL_PX} height=${DIAL_PX} viewBox="0 0 ${DIAL_PX} ${DIAL_PX}" aria-hidden="true">
      <path class="track" d=${TRACK_PATH}></path>
      ${arc ? svg`<path class="arc" d=${arc}></path>` : nothing}
      ${bipolar ? svg`<line class="tick" x1=${tx1} y1=${ty1} x2=${tx2} y2=${ty2}></line>` : nothing}
      <circle class="face" cx=${CENTRE} cy=${CENTRE} r=${R_FACE}></circle>
      <line class="pointer" x1=${x1} y1=${y1} x2=${x2} y2=${y2}></line>
    </svg>`;
  }

  /** The field's position bar, from min (or zero on a bipolar range) to the value. */
  private renderBar(pos: number): TemplateResult {
    const origin = arcOrigin(this.min, this.max, this.taper);
    const left = Math.min(origin, pos) * 100;
    const width = Math.abs(pos - origin) * 100;
    return html`<span class="bar" aria-hidden="true" style=${styleMap({ left: `${left}%`, width: `${width}%` })}></span>`;
  }

  /** The shown number: `formatValue`, or toFixed(decimals) with a true minus and no "-0.0" (format.ts). */
  private displayText(): string {
    if (this.formatValue !== undefined) return this.formatValue(this.value);
    return formatLevel(this.value, this.digits());
  }

  private digits(): number {
    const d = Math.round(this.decimals);
    return d === d ? clamp(d, 0, 10) : 1;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    // Disabling mid-interaction ends it: the drag is dropped, the type-in box closes without committing.
    if (changed.has('disabled') && this.disabled) {
      this.releasePress();
      this._editing = false;
      this._active = false;
      this.gesture.endAll();
    }
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('_editing') && this._editing) {
      const input = this.editor();
      input?.focus();
      input?.select();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.noticeTimer);
    this._notice = '';
    this._invalid = false;
    // Nobody hears events from a detached element, so the gesture is dropped silently.
    this.releasePress();
    this.gesture.reset();
    this._editing = false;
    this._active = false;
  }

  private slider(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.slider');
  }

  private editor(): HTMLInputElement | null {
    return this.renderRoot.querySelector<HTMLInputElement>('.editor');
  }

  /** A user change: sets the value and tells the root. False (no event) when the value is already there. */
  private change(v: number): boolean {
    if (this.disabled || v === this.value || v !== v) return false;
    this.value = v;
    emitInput(this, v);
    return true;
  }

  /** A key or wheel step to v: the gesture starts (or is extended) only when the value really moves. */
  private stepTo(v: number): void {
    if (this.disabled || v === this.value) return;
    this.gesture.step();
    this.change(v);
  }

  private legal(v: number): number {
    return quantize(v, this.min, this.max, this.step);
  }

  private reset(): void {
    const v = this.legal(this.defaultValue);
    if (v === this.value || this.disabled) return;
    this.gesture.pulse(() => this.change(v));
  }

  private keyIncrement(fine: boolean): number {
    return stepIncrement(effectiveKeyStep(this.keyStep, this.min, this.max, this.step), this.step, fine);
  }

  private onKeyDown = (e: KeyboardEvent): void => {
    if (this.disabled || e.altKey || e.ctrlKey || e.metaKey) return;
    const action = sliderKeyAction(e.key);
    if (action === null) return;
    e.preventDefault();
    switch (action.kind) {
      case 'step':
        this.stepTo(stepValue(this.value, action.steps, this.keyIncrement(e.shiftKey), this.min, this.max, this.step));
        return;
      case 'min':
        this.stepTo(this.min);
        return;
      case 'max':
        this.stepTo(this.max);
        return;
      case 'edit':
        this.openEditor();
        return;
      case 'reset':
        this.reset();
        return;
    }
  };

  private onWheel = (e: WheelEvent): void => {
    // Ctrl+wheel is the browser's zoom (and a trackpad pinch): not ours.
    if (this.disabled || this._editing || e.ctrlKey) return;
    const dir = wheelDirection(e.deltaX, e.deltaY, e.shiftKey);
    if (dir === 0) return;
    e.preventDefault();
    this.stepTo(stepValue(this.value, dir, this.keyIncrement(e.shiftKey), this.min, this.max, this.step));
  };

  private onPointerDown = (e: PointerEvent): void => {
    if (this.disabled || e.button !== 0 || this.press !== null || this._editing) return;
    if (e.altKey) {
      e.preventDefault();
      this.reset();
      return;
    }
    const slider = e.currentTarget as HTMLElement;
    const onValue =
      this.variant === 'field' || e.composedPath().some((n) => n instanceof Element && n.classList.contains('value'));
    slider.setPointerCapture(e.pointerId);
    this.press = {
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      lastY: e.clientY,
      pos: valueToPosition(this.value, this.min, this.max, this.taper),
      dragging: false,
      onValue,
    };
    this._active = true;
    this.gesture.begin('drag');
  };

  private onPointerMove = (e: PointerEvent): void => {
    const p = this.press;
    if (p === null || e.pointerId !== p.pointerId) return;
    if (!p.dragging) {
      if (Math.abs(e.clientY - p.startY) < CLICK_SLOP_PX && Math.abs(e.clientX - p.startX) < CLICK_SLOP_PX) return;
      p.dragging = true; // counted from the press point, so the value follows the pointer without a jump
    }
    p.pos = dragPosition(p.pos, e.clientY - p.lastY, e.shiftKey || e.ctrlKey || e.metaKey);
    p.lastY = e.clientY;
    this.change(this.legal(positionToValue(p.pos, this.min, this.max, this.taper)));
  };

  private onPointerUp = (e: PointerEvent): void => {
    const p = this.press;
    if (p === null || e.pointerId !== p.pointerId) return;
    // A click on the number opens the type-in box; it starts before the drag ends, so the gesture is unbroken.
    if (!p.dragging && p.onValue) this.openEditor();
    this.endPress();
  };

  private onPointerCancel = (e: PointerEvent): void => {
    if (this.press !== null && e.pointerId === this.press.pointerId) this.endPress();
  };

  private endPress(): void {
    this.releasePress();
    this._active = false;
    this.gesture.end('drag');
  }

  private releasePress(): void {
    const p = this.press;
    if (p === null) return;
    this.press = null;
    const slider = this.slider();
    if (slider?.hasPointerCapture(p.pointerId)) slider.releasePointerCapture(p.pointerId);
  }

  private onDblClick = (e: MouseEvent): void => {
    if (this.disabled) return;
    if (this._editing) {
      // A double-click inside a type-in box that has been open a while selects a word; leave it alone.
      if (performance.now() - this.editOpenedAt > DOUBLE_CLICK_MS) return;
      this.finishEdit(false, true);
    }
    e.preventDefault();
    this.reset();
  };

  private openEditor(): void {
    if (this.disabled || this._editing) return;
    this.editSeed = formatLevel(this.value, this.digits()).replace(/\u2212/g, '-');
    this.editOpenedAt = performance.now();
    this.gesture.begin('edit');
    this._invalid = false;
    this.showNotice('', false);
    this._editing = true;
  }

  /** Shows a note for NOTICE_MS; '' hides it. */
  private showNotice(text: string, error: boolean): void {
    clearTimeout(this.noticeTimer);
    this.noticeIsError = error;
    this._notice = text;
    if (text !== '') this.noticeTimer = setTimeout(() => { this._notice = ''; }, NOTICE_MS);
  }

  /**
   * Closes the type-in box. A commit reads the text in the knob's unit (typed-value.ts); an untouched text
   * changes nothing, so opening and closing never rounds the value to `decimals`. Text that is not a value is
   * refused: with `keepOpenIfInvalid` (Enter) the box stays open and marked; otherwise (a blur) it closes with the
   * value unchanged. Either way a note says why.
   */
  private finishEdit(commit: boolean, refocus: boolean, keepOpenIfInvalid = false): void {
    if (!this._editing) return;
    const text = this.editor()?.value ?? this.editSeed;
    if (commit && text.trim() !== this.editSeed) {
      const typed = parseTypedValue(text, this.units);
      if (!typed.ok) {
        this.showNotice(`${typed.reason}. Unchanged.`, true);
        if (keepOpenIfInvalid) {
          this._invalid = true;
          this.editor()?.select();
          return;
        }
      } else {
        const v = this.legal(typed.value);
        if (typed.value < this.min || typed.value > this.max) {
          const end = typed.value < this.min ? 'minimum' : 'maximum';
          this.showNotice(`Out of range: set to the ${end}, ${formatLevel(v, this.digits())}${this.units ? ` ${this.units}` : ''}`, false);
        }
        this.change(v);
      }
    }
    this._editing = false; // before the refocus: the blur it causes finds the box already closed
    this._invalid = false;
    if (refocus) this.slider()?.focus();
    this.gesture.end('edit');
  }

  private onEditorInput = (): void => {
    // Editing again after a refusal: the mark goes until the next commit.
    if (this._invalid) {
      this._invalid = false;
      this.showNotice('', false);
    }
  };

  private onEditorKeyDown = (e: KeyboardEvent): void => {
    // Typing belongs to the box: a host's shortcuts (Space = play) must not see it.
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      this.finishEdit(true, true, true);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.finishEdit(false, true);
    }
  };

  private onEditorBlur = (): void => {
    this.finishEdit(true, false);
  };
}

defineOnce('levelmatch-knob', LevelMatchKnob);

declare global {
  interface HTMLElementTagNameMap {
    'levelmatch-knob': LevelMatchKnob;
  }
}
