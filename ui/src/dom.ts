// A few lines instead of a framework: elements built from tag, attributes and children.

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | ((event: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** An account shortened for tables: `5GrwvaEF…utQY`, linking to its provider page. */
export function accountLink(address: string): HTMLAnchorElement {
  return h(
    'a',
    { href: `#/provider/${address}`, title: address, class: 'account' },
    `${address.slice(0, 8)}…${address.slice(-4)}`,
  );
}

export function table(headings: string[], rows: Child[][], id?: string): HTMLTableElement {
  return h(
    'table',
    id ? { id } : {},
    h('thead', {}, h('tr', {}, ...headings.map((heading) => h('th', {}, heading)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

/** A bar chart of `values` (one bar each, labelled below), as inline SVG. */
export function barChart(
  title: string,
  values: { label: string; value: number }[],
  id: string,
): HTMLElement {
  const width = 480;
  const height = 120;
  const max = Math.max(1, ...values.map((v) => v.value));
  const barWidth = values.length ? width / values.length : width;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height + 16}`);
  svg.setAttribute('class', 'chart');
  values.forEach(({ label, value }, index) => {
    const bar = document.createElementNS(svg.namespaceURI, 'rect');
    const barHeight = (value / max) * height;
    bar.setAttribute('x', String(index * barWidth + 1));
    bar.setAttribute('y', String(height - barHeight));
    bar.setAttribute('width', String(Math.max(1, barWidth - 2)));
    bar.setAttribute('height', String(barHeight));
    const tip = document.createElementNS(svg.namespaceURI, 'title');
    tip.textContent = `${label}: ${value}`;
    bar.append(tip);
    svg.append(bar);
  });
  if (values.length) {
    for (const [index, anchor] of [
      [0, 'start'],
      [values.length - 1, 'end'],
    ] as const) {
      const text = document.createElementNS(svg.namespaceURI, 'text');
      text.setAttribute('x', String(anchor === 'start' ? 0 : width));
      text.setAttribute('y', String(height + 14));
      text.setAttribute('text-anchor', anchor);
      text.textContent = values[index].label;
      svg.append(text);
    }
  }
  return h('figure', { id }, svg, h('figcaption', {}, `${title} (highest: ${max})`));
}
