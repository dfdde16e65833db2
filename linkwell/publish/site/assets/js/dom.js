/* Small DOM helpers shared by the site's scripts (search, shortlist): window.linkwellDom.
 *
 * el(tag, attrs, text): an element with attributes and text set through setAttribute/textContent,
 * never innerHTML, so listing text from outside stays text.
 * fact(dl, term, value, href, cls): appends <dt>term</dt><dd>value</dd> to a <dl> when value is not
 * empty; href (already checked by linkwellIndex.safeUrl) makes the value a link; cls is a class for both.
 */
(function () {
  'use strict';
  if (window.linkwellDom) return;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function fact(dl, term, value, href, cls) {
    if (!value) return;
    var attrs = cls ? { class: cls } : null;
    dl.appendChild(el('dt', attrs, term));
    var dd = el('dd', attrs);
    if (href) dd.appendChild(el('a', { href: href }, value)); else dd.textContent = value;
    dl.appendChild(dd);
  }

  /* One wording for what a listing does not say, on every page (linkwell/publish/site/words.py has the same). */
  window.linkwellDom = { el: el, fact: fact, NO_TIMES: 'Times not given — ask the group',
    COST_UNKNOWN: 'Cost not known — ask the group' };
})();
