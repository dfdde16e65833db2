/* Linkwell shortlist: entries a link worker ticks, kept in this browser (localStorage).
 *
 * window.linkwellShortlist = { items(), has(id), add(id, name), remove(id), button(id, name) }.
 * - Entry pages: an element with data-linkwell-entry="<id>" (rendered by the site templates)
 *   gets an "Add to shortlist" button; data-linkwell-name (or the page's h1) gives the name.
 * - Links marked data-lw-shortlist-link show the count.
 * - The shortlist page (#lw-shortlist, site_src/shortlist.md) lists the entries as a printable
 *   handout, with a share link (?ids=a,b,c) that opens the same list on another device.
 * Entry text is untrusted: nodes are built with textContent; links go through safeUrl.
 */
(function () {
  'use strict';
  if (window.linkwellShortlist) return;
  var KEY = 'linkwell-shortlist', MAX = 40;
  var ID_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

  var el = window.linkwellDom.el, fact = window.linkwellDom.fact;
  /* How to join, in words for the person the handout is for (the search's labels are for link workers). */
  var JOIN = { 'drop-in': 'Just turn up', 'self-referral': 'Contact them yourself',
    'link-worker-referral': 'Your link worker can refer you', 'gp-referral': 'Your GP can refer you',
    'booking': 'Book a place first' };

  function items() {
    try {
      var v = JSON.parse(localStorage.getItem(KEY) || '[]');
      return Array.isArray(v) ? v.filter(function (x) { return x && ID_RE.test(x.i); }) : [];
    } catch (e) { return []; }
  }
  function save(list) {
    try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX))); } catch (e) { /* private mode */ }
    refresh();
  }
  function has(id) { return items().some(function (x) { return x.i === id; }); }
  function add(id, name) {
    if (!ID_RE.test(id) || has(id)) return;
    save(items().concat([{ i: id, n: String(name || id).slice(0, 200) }]));
    announce('Added ' + (name || id) + ' to the shortlist (' + items().length + ').');
  }
  function remove(id) {
    var name = (items().filter(function (x) { return x.i === id; })[0] || {}).n || id;
    save(items().filter(function (x) { return x.i !== id; }));
    announce('Removed ' + name + ' from the shortlist (' + items().length + ').');
  }

  var live = null;
  function announce(text) {
    if (!live) {
      live = el('div', { class: 'lw-visually-hidden', role: 'status', 'aria-live': 'polite' });
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  function base() { return (window.linkwellIndex && window.linkwellIndex.base) || '/'; }

  function syncButton(btn) {
    var on = has(btn.dataset.lwId), name = btn.dataset.lwName;
    btn.textContent = on ? '✓ On shortlist — remove' : 'Add to shortlist';
    btn.setAttribute('aria-label', (on ? '✓ On shortlist — remove: ' : 'Add to shortlist: ') + name);
    btn.classList.toggle('lw-on', on);
  }
  function button(id, name) {
    var btn = el('button', { type: 'button', class: 'md-button lw-shortlist-btn' });
    btn.dataset.lwId = id;
    btn.dataset.lwName = name || id;
    btn.addEventListener('click', function () {
      if (has(id)) remove(id); else add(id, btn.dataset.lwName);
    });
    syncButton(btn);
    return btn;
  }

  function refresh() {
    var n = items().length;
    document.querySelectorAll('.lw-shortlist-btn').forEach(syncButton);
    document.querySelectorAll('[data-lw-shortlist-link]').forEach(function (a) {
      a.textContent = 'Shortlist (' + n + ')';
    });
  }

  /* Entry pages mark themselves with data-linkwell-entry="<id>"; failing that, an entry page is
   * recognised by its URL (/entries/<id>/) and its h1#listing-name. */
  function entryPages() {
    var hosts = Array.prototype.slice.call(document.querySelectorAll('[data-linkwell-entry]'));
    var m = /\/entries\/([a-z0-9]+(?:-[a-z0-9]+)*)\/(?:index\.html)?$/.exec(location.pathname);
    var h1 = document.getElementById('listing-name');
    if (!hosts.length && m && h1) {
      var host = document.createElement('div');
      host.setAttribute('data-linkwell-entry', m[1]);
      var after = h1.nextElementSibling && h1.nextElementSibling.classList.contains('lw-org') ? h1.nextElementSibling : h1;
      after.parentNode.insertBefore(host, after.nextSibling);
      hosts = [host];
    }
    hosts.forEach(function (host) {
      if (host.dataset.lwShortlistReady) return;
      host.dataset.lwShortlistReady = '1';
      var id = host.getAttribute('data-linkwell-entry');
      if (!ID_RE.test(id)) return;
      var h1 = document.querySelector('article h1, h1');
      var name = host.getAttribute('data-linkwell-name') || (h1 && h1.textContent.trim()) || id;
      var bar = el('p', { class: 'lw-shortlist-bar' });
      bar.appendChild(button(id, name));
      bar.appendChild(document.createTextNode(' '));
      bar.appendChild(el('a', { href: base() + 'shortlist/', 'data-lw-shortlist-link': '' }, 'Shortlist'));
      host.appendChild(bar);
    });
  }

  /* A QR code of `url` in `box` (an SVG of squares built with createElementNS), from qrcode-generator
   * (npm), loaded only here. Without it the printed address is still there. */
  function drawQr(box, url) {
    var ready = window.qrcode ? Promise.resolve() : new Promise(function (resolve, reject) {
      var s = el('script', { src: base() + 'js/qrcode.js' });
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
    ready.then(function () {
      var code = window.qrcode(0, 'M');
      code.addData(url);
      code.make();
      var n = code.getModuleCount(), ns = 'http://www.w3.org/2000/svg';
      var svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', '-2 -2 ' + (n + 4) + ' ' + (n + 4));
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', 'QR code of this list’s address');
      var d = '';
      for (var r = 0; r < n; r++) for (var c = 0; c < n; c++) if (code.isDark(r, c)) d += 'M' + c + ' ' + r + 'h1v1h-1z';
      var path = document.createElementNS(ns, 'path');
      path.setAttribute('d', d);
      svg.appendChild(path);
      box.textContent = '';
      box.appendChild(svg);
    }).catch(function () { box.textContent = ''; });
  }

  /* The whole description, for the handout (search records keep a short one): read from the
   * listing's own page, as text (DOMParser: nothing of it runs or is inserted as HTML). */
  function fullDescription(id, node) {
    fetch(base() + 'entries/' + encodeURIComponent(id) + '/', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, 'text/html'), heading = doc.getElementById('what');
        var parts = [];
        for (var n = heading && heading.nextElementSibling; n && n.tagName === 'P'; n = n.nextElementSibling) {
          parts.push(n.textContent.trim());
        }
        if (parts.length) node.textContent = parts.join('\n\n');
      }).catch(function () { /* the short description stays */ });
  }

  /* ---- the shortlist page ---- */
  function shortlistPage() {
    var root = document.getElementById('lw-shortlist');
    if (!root || root.dataset.lwReady) return;
    root.dataset.lwReady = '1';
    var params = new URLSearchParams(location.search);
    var shared = (params.get('ids') || '').split(',').filter(function (x) { return ID_RE.test(x); }).slice(0, MAX);
    var isShared = params.has('ids');
    var tools = el('div', { class: 'lw-shortlist-tools lw-no-print' });
    var listNode = el('ol', { class: 'lw-handout' });
    var status = el('p', { class: 'lw-status', role: 'status', 'aria-live': 'polite' });
    var printed = el('p', { class: 'lw-print-only lw-handout-note' });
    printed.textContent = 'Printed ' + new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }) +
      '. Details can change: please check with the group before you go.';
    root.textContent = '';
    root.appendChild(tools);
    root.appendChild(status);
    root.appendChild(printed);
    root.appendChild(listNode);
    var footer = el('div', { class: 'lw-print-only lw-handout-footer' });
    var qr = el('div', { class: 'lw-handout-qr' });
    footer.appendChild(qr);
    var site = new URL(base(), location.href).href;
    footer.appendChild(el('p', null, 'More activities and support: ' + site));
    var here = el('p', { class: 'lw-handout-link' });
    footer.appendChild(here);
    footer.appendChild(el('p', { class: 'lw-handout-blank' }, 'Your link worker: '));
    footer.appendChild(el('p', { class: 'lw-handout-blank lw-handout-notes' }, 'Notes: '));
    root.appendChild(footer);

    function ids() { return isShared ? shared : items().map(function (x) { return x.i; }); }
    function shareUrl() { return new URL(base() + 'shortlist/?ids=' + ids().join(','), location.href).href; }

    function drawTools() {
      tools.textContent = '';
      if (ids().length) {  // an empty list has nothing to print
        var printBtn = el('button', { type: 'button', class: 'md-button md-button--primary' }, 'Print handout');
        printBtn.addEventListener('click', function () { window.print(); });
        tools.appendChild(printBtn);
      }
      if (isShared) {
        var keep = el('button', { type: 'button', class: 'md-button' }, 'Add these to my shortlist');
        keep.addEventListener('click', function () {
          var names = {};
          listNode.querySelectorAll('[data-entry]').forEach(function (a) { names[a.dataset.entry] = a.dataset.name; });
          shared.forEach(function (id) { add(id, names[id] || id); });
          announce('Added ' + shared.length + ' listings to your shortlist.');
        });
        tools.appendChild(keep);
      } else if (ids().length) {
        var clear = el('button', { type: 'button', class: 'md-button' }, 'Clear shortlist');
        clear.addEventListener('click', function () { save([]); draw(); announce('Shortlist cleared.'); });
        tools.appendChild(clear);
      }
      if (ids().length) {
        var label = el('label', { for: 'lw-share-url' }, 'Link to share this list');
        var input = el('input', { id: 'lw-share-url', type: 'text', readonly: '', value: shareUrl() });
        var copy = el('button', { type: 'button', class: 'md-button' }, 'Copy link');
        var copied = el('span', { class: 'lw-copied', role: 'status', 'aria-live': 'polite' });
        copy.addEventListener('click', function () {
          input.select();
          var done = function () { copied.textContent = 'Link copied'; };
          var failed = function () { copied.textContent = 'Select the link and copy it'; };
          if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, failed);
          else if (document.execCommand('copy')) done(); else failed();
        });
        var text = 'Activities and support in London: ' + shareUrl();
        var mail = el('a', { class: 'md-button', href: 'mailto:?subject=' + encodeURIComponent('Your list of activities and support') +
          '&body=' + encodeURIComponent(text) }, 'Send by email');
        var sms = el('a', { class: 'md-button', href: 'sms:?&body=' + encodeURIComponent(text) }, 'Send by text message');
        var share = el('div', { class: 'lw-share' });
        share.appendChild(label);
        share.appendChild(input);
        share.appendChild(copy);
        share.appendChild(copied);
        share.appendChild(mail);
        share.appendChild(sms);
        tools.appendChild(share);
      }
    }

    function draw() {
      drawTools();
      footer.hidden = !ids().length;
      here.textContent = ids().length ? 'This list online: ' + shareUrl() : '';
      if (ids().length) drawQr(qr, shareUrl());
      listNode.textContent = '';
      var wanted = ids();
      if (!wanted.length) {
        status.textContent = isShared ? 'This shared link holds no listings.' :
          'Your shortlist is empty. Use “Add to shortlist” on search results or on a listing.';
        return Promise.resolve();
      }
      status.textContent = 'Loading ' + wanted.length + ' listings…';
      var idx = window.linkwellIndex;
      return idx.recordsForIds(wanted).then(function (recs) {
        return idx.meta().then(function (m) {
          var missing = 0;
          recs.forEach(function (rec, i) {
            if (!rec) { missing++; return; }
            var li = el('li', { class: 'lw-handout-item' });
            var h = el('h2');
            var a = el('a', { href: idx.base + 'entries/' + encodeURIComponent(rec.i) + '/' }, rec.n);
            a.dataset.entry = rec.i;
            a.dataset.name = rec.n;
            h.appendChild(a);
            li.appendChild(h);
            if (rec.o && rec.o !== rec.n) li.appendChild(el('p', { class: 'lw-result-org' }, rec.o));
            // how fresh the details are is for the link worker: on screen, not on the person's handout
            li.appendChild(el('p', { class: 'lw-no-print lw-notice lw-notice--' + ['fresh', 'stale', 'unverified', 'closed'][rec.t] }, rec.f));
            var desc = el('p', { class: 'lw-result-desc' }, rec.d);
            li.appendChild(desc);
            if (/…$/.test(rec.d)) fullDescription(rec.i, desc);
            var dl = el('dl', { class: 'lw-facts' });
            var borough = m.labels.bor[rec.b] || '';
            fact(dl, 'Where', rec.w ? rec.w + ' (' + borough + ')' : borough);
            if (rec.v) fact(dl, 'Open to', 'People from ' + rec.v);  // the areas it takes people from
            fact(dl, 'When', rec.s || window.linkwellDom.NO_TIMES);
            fact(dl, 'Cost', rec.ku ? window.linkwellDom.COST_UNKNOWN : m.labels.cost[rec.k]);
            fact(dl, 'How to join', (rec.a || []).map(function (x) { return JOIN[m.facets.acc[x]] || m.labels.acc[x]; }).join('; '));
            if (rec.p) fact(dl, 'Phone', rec.p, idx.safeUrl(rec.p, 'tel'));
            if (rec.e) fact(dl, 'Email', rec.e, idx.safeUrl(rec.e, 'mailto'));
            var web = rec.u && idx.safeUrl(rec.u);
            if (web) fact(dl, 'Website', web.replace(/^https?:\/\//, '').replace(/\/$/, ''), web);
            li.appendChild(dl);
            if (!isShared) {
              var rm = el('button', { type: 'button', class: 'md-button lw-no-print' }, 'Remove');
              rm.setAttribute('aria-label', 'Remove ' + rec.n + ' from the shortlist');
              rm.addEventListener('click', function () { remove(wanted[i]); draw(); });
              li.appendChild(rm);
            }
            listNode.appendChild(li);
          });
          var shown = wanted.length - missing;
          status.textContent = (isShared ? 'Shared list: ' : 'Your shortlist: ') + shown +
            (shown === 1 ? ' listing.' : ' listings.') +
            (missing === 1 ? ' 1 listing is no longer in the directory.' :
              missing ? ' ' + missing + ' listings are no longer in the directory.' : '');
        });
      }).catch(function (err) { status.textContent = 'The shortlist could not be loaded: ' + err.message; });
    }
    root.lwDraw = draw;
    draw();
  }

  function init() {
    entryPages();
    shortlistPage();
    refresh();
  }

  window.linkwellShortlist = { items: items, has: has, add: add, remove: remove, button: button, refresh: refresh };
  window.addEventListener('storage', function (e) { if (e.key === KEY) refresh(); });
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
