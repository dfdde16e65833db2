/* Small DOM helpers shared by the site's scripts (search, shortlist, entry): window.linkwellDom.
 *
 * el(tag, attrs, text): an element with attributes and text set through setAttribute/textContent,
 * never innerHTML, so listing text from outside stays text.
 * fact(dl, term, value, href, cls): appends <dt>term</dt><dd>value</dd> to a <dl> when value is not
 * empty; href (already checked by linkwellIndex.safeUrl) makes the value a link; cls is a class for both.
 * loadLeaflet(dir): Leaflet from the folder it was copied to, fetched once, when a map is wanted;
 * resolves with L once its script has run AND its stylesheet is applied (before that, Leaflet guesses
 * its marker images' folder wrongly and popups have no layout: a slow phone showed both).
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

  var leaflet = null;
  function loadLeaflet(dir) {
    function added(node) {
      return new Promise(function (resolve, reject) {
        node.onload = resolve;
        node.onerror = reject;
        document.head.appendChild(node);
      });
    }
    if (!leaflet) {
      leaflet = Promise.all([added(el('link', { rel: 'stylesheet', href: dir + 'leaflet.css' })),
        added(el('script', { src: dir + 'leaflet.js' }))])
        .then(function () { return window.L; }, function () {
          leaflet = null;
          throw new Error('The map could not be loaded.');
        });
    }
    return leaflet;
  }

  /* One wording for what a listing does not say, on every page (linkwell/publish/site/words.py has the same). */
  window.linkwellDom = { el: el, fact: fact, loadLeaflet: loadLeaflet, NO_TIMES: 'Times not given — ask the group',
    COST_UNKNOWN: 'Cost not known — ask the group' };
})();
