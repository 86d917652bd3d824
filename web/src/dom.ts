// A small element builder: the page is plain DOM, no framework.

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `h("a", {href: "#/"}, "Home")`: attributes (on* are listeners; false/null leave one out), then children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children (false/null children are left out). */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Says a message to screen readers (the page's polite live region). */
export function announce(message: string): void {
  const region = document.getElementById("announcer");
  if (region) {
    region.textContent = "";
    // a new text node, so that the same message said twice is said twice
    setTimeout(() => (region.textContent = message), 50);
  }
}

/** Copies text, with the button saying it did (or could not). */
export function copyButton(text: string, label: string): HTMLButtonElement {
  const button = h("button", { type: "button", class: "copy", "aria-label": label, title: label }, "Copy");
  button.addEventListener("click", async () => {
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      // no clipboard permission (an insecure origin): select a temporary field instead
      const field = h("textarea", { class: "visually-hidden", readonly: true }, text);
      document.body.append(field);
      field.select();
      copied = document.execCommand("copy");
      field.remove();
    }
    button.textContent = copied ? "Copied" : "Copy failed";
    announce(copied ? `Copied ${text}` : "Could not copy");
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
  return button;
}
