// The copy button of one-time secrets. It lives in this file so that pages need no inline script
// under the strict Content-Security-Policy of vWHM and the user panel.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  const source = document.getElementById(button.getAttribute('data-copy'));
  const status = document.getElementById(button.getAttribute('data-copy-status') || '');
  if (!source) return;
  // A list (recovery codes) is copied one item a line.
  const items = source.querySelectorAll('li');
  const text = items.length > 0 ? [...items].map((li) => li.textContent.trim()).join('\n') : source.textContent.trim();
  const done = (ok) => {
    if (status)
      status.textContent = ok ? 'Copied to the clipboard.' : 'Copy failed: select the text and copy it by hand.';
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(
      () => done(true),
      () => done(false),
    );
    return;
  }
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  done(document.execCommand('copy'));
});
