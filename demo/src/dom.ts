/** The page's element with that id, of the expected kind (the page is static: a missing one is a bug). */
export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} is missing from the page`);
  return found as T;
};

/** A new element with a class and text (never HTML: everything shown comes from users). */
export const make = <K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className !== '') node.className = className;
  if (text !== '') node.textContent = text;
  return node;
};

export const button = (label: string, className: string, onClick: () => void): HTMLButtonElement => {
  const b = make('button', className, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
};

const errorBox = (): HTMLElement => byId('error');

/** Shows what went wrong in the page (the demo logs nothing to the console). */
export const showError = (err: unknown): void => {
  const box = errorBox();
  box.textContent = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  box.hidden = false;
};

export const clearError = (): void => {
  const box = errorBox();
  box.textContent = '';
  box.hidden = true;
};

/** Runs an action from a click or a submit; its failure is shown in the page. */
export const guarded =
  (action: () => Promise<void>): (() => void) =>
  () => {
    clearError();
    action().catch(showError);
  };

/** A form's submit, without navigation, running `action` guarded. */
export const onSubmit = (form: HTMLFormElement, action: () => Promise<void>): void => {
  const run = guarded(action);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
};
