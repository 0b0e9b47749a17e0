/** `statecraft machine show --format`: shared by its flag definition and the command that draws. */
export const DIAGRAM_FORMATS = ['mermaid', 'svg'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];
