/** Resolves once `node`'s processor has handled every message posted to it before this call (watching.js). */
export function watching(node: { getParameterValues(normalized?: boolean): Promise<unknown> }): Promise<void>;
