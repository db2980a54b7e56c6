// The one DOM helper the widget's first paint needs (mailspect-analyzer.js builds its form with
// it); the report's renderer, render.js, re-exports it and loads only with the first report.
// Untrusted text reaches the DOM only as text nodes and attribute values.

export const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  // Children may be nested arrays (a part that is several nodes); they are flattened, never
  // stringified.
  node.append(...children.flat(Infinity).filter((child) => child !== undefined && child !== null && child !== false));
  return node;
};
