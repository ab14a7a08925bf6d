/**
 * The GUI's look, as CSS custom properties. Every colour, font and radius the components use comes from one of
 * these, with the dark default as the fallback, so a host restyles LevelMatch by setting them on the
 * `<levelmatch-gui>` element (or any ancestor):
 *
 *   levelmatch-gui { --lm-bg: #fff; --lm-text: #111; --lm-accent: #c60; }
 *
 * Runs on the main thread only.
 */
import { css } from 'lit';

/** Names and dark defaults (documented in the README). */
export const THEME_DEFAULTS = {
  '--lm-bg': '#14161b', // element background
  '--lm-panel': '#1d2027', // panels, control faces
  '--lm-panel-2': '#262a33', // raised faces, tracks
  '--lm-line': '#343a46', // borders, grid lines
  '--lm-text': '#e7e9ef', // primary text
  '--lm-dim': '#8d94a5', // labels, units, secondary text
  '--lm-accent': '#f4b63f', // the gain: number, history trace, knob arcs
  '--lm-ref': '#5cb2ff', // the reference signal
  '--lm-out': '#6fdc8c', // the output signal
  '--lm-warn': '#ffae42', // gated, held, at a limit
  '--lm-danger': '#ff5a5a', // over target / ceiling, errors
  '--lm-focus': '#a6d1ff', // keyboard focus ring
  '--lm-font': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  '--lm-mono': 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
  '--lm-radius': '6px',
} as const;

export type ThemeProperty = keyof typeof THEME_DEFAULTS;

/** `var(--lm-x, default)` for a theme property. */
export const v = (name: ThemeProperty): string => `var(${name}, ${THEME_DEFAULTS[name]})`;

/**
 * Shared CSS for every component: the theme variables resolved with fallbacks into short private names, and a
 * visible focus ring for keyboard users (only for keyboard focus: :focus-visible).
 */
export const baseStyles = css`
  :host {
    --_bg: var(--lm-bg, #14161b);
    --_panel: var(--lm-panel, #1d2027);
    --_panel2: var(--lm-panel-2, #262a33);
    --_line: var(--lm-line, #343a46);
    --_text: var(--lm-text, #e7e9ef);
    --_dim: var(--lm-dim, #8d94a5);
    --_accent: var(--lm-accent, #f4b63f);
    --_ref: var(--lm-ref, #5cb2ff);
    --_out: var(--lm-out, #6fdc8c);
    --_warn: var(--lm-warn, #ffae42);
    --_danger: var(--lm-danger, #ff5a5a);
    --_focus: var(--lm-focus, #a6d1ff);
    --_font: var(--lm-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_mono: var(--lm-mono, ui-monospace, 'SF Mono', Menlo, Consolas, monospace);
    --_radius: var(--lm-radius, 6px);
    font-family: var(--_font);
    color: var(--_text);
    box-sizing: border-box;
  }
  *, *::before, *::after { box-sizing: inherit; }
  :focus { outline: none; }
  :focus-visible { outline: 2px solid var(--_focus); outline-offset: 2px; }
`;

/** Defines a custom element once (a page may load the GUI bundle twice, e.g. two plugin versions' copies). */
export function defineOnce(name: string, ctor: CustomElementConstructor): void {
  if (customElements.get(name) === undefined) customElements.define(name, ctor);
}
