/* Linkwell home-page search: the form, the URL, the results list and the results map.
 *
 * Works on the page holding form#lw-search (site_src/index.md); does nothing elsewhere. The
 * query lives in the URL (?q=...&cat=active,safe&pc=SE8+4RJ&age=70), so a search can be
 * bookmarked and shared and the back button works. Entry text is untrusted: every node is built
 * with createElement/textContent, and links go through linkwellIndex.safeUrl.
 */
(function () {
  'use strict';
  var PAGE = 20;
  var NO_TIMES = window.linkwellDom.NO_TIMES;
  var MILES = ['1', '2', '5'];  // the radius chips a postcode search offers
  var FACETS = ['cat', 'bor', 'cost', 'del', 'day', 'time', 'grp', 'acc', 'a11y', 'lang'];
  var TIER_HEADINGS = ['Checked recently', 'Not checked recently — check before referring',
    'Not yet verified — check before referring', 'Temporarily closed'];

  var el = window.linkwellDom.el, fact = window.linkwellDom.fact;
  function radiusKm(miles) { return +miles * 1.609344; }

  function init() {
    var form = document.getElementById('lw-search');
    if (!form || form.dataset.lwReady) return;
    form.dataset.lwReady = '1';
    var idx = window.linkwellIndex;
    var q = form.querySelector('#lw-q'), pc = form.querySelector('#lw-pc'), age = form.querySelector('#lw-age');
    var status = document.getElementById('lw-status'), list = document.getElementById('lw-results');
    var more = document.getElementById('lw-more'), tools = document.getElementById('lw-result-tools');
    var pcError = document.getElementById('lw-pc-error'), radius = form.querySelector('#lw-r');
    var mapToggle = document.getElementById('lw-map-toggle'), mapPanel = document.getElementById('lw-map-panel');
    var current = null, shown = 0, runId = 0, debounce = null, map = null, markers = null, records = [];
    var submitted = false;  // the last search was asked for with the Search button or Enter
    var filters = window.linkwellFilters(form, { run: function (mode) { run(mode); }, labelOf: labelOf,
                                                 miles: MILES, radiusKm: radiusKm });

    /* On a phone the results start below the fold: bring them into view after Search. */
    function reveal() {
      submitted = false;
      if (window.matchMedia('(max-width: 44.9375em)').matches) {
        document.getElementById('lw-results-area').scrollIntoView({ block: 'start' });
      }
    }

    function readForm() {
      var facets = {};
      FACETS.forEach(function (k) {
        facets[k] = Array.prototype.map.call(form.querySelectorAll('input[name="' + k + '"]:checked'),
          function (i) { return i.value; });
      });
      return { q: q.value.trim(), pc: pc.value.trim(), age: age.value.trim(), r: radius.value, facets: facets };
    }
    function toURL(state) {
      var p = new URLSearchParams();
      if (state.q) p.set('q', state.q);
      FACETS.forEach(function (k) { if (state.facets[k].length) p.set(k, state.facets[k].join(',')); });
      if (state.pc) p.set('pc', state.pc);
      if (state.pc && state.r) p.set('r', state.r);
      if (state.age) p.set('age', state.age);
      var s = p.toString();
      return location.pathname + (s ? '?' + s : '');
    }
    function fromURL() {
      var p = new URLSearchParams(location.search);
      q.value = p.get('q') || '';
      pc.value = p.get('pc') || '';
      radius.value = MILES.indexOf(p.get('r')) >= 0 ? p.get('r') : '';
      age.value = p.get('age') || '';
      FACETS.forEach(function (k) {
        var vals = (p.get(k) || '').split(',');
        form.querySelectorAll('input[name="' + k + '"]').forEach(function (i) { i.checked = vals.indexOf(i.value) >= 0; });
        var group = form.querySelector('[data-facet="' + k + '"]');
        if (group && vals.some(Boolean)) group.open = true;  // show the ticked boxes a shared link carries
      });
      updateFilterCounts();
      return Array.from(p.keys()).length > 0;
    }
    function updateFilterCounts() {
      var totalChecked = 0;
      FACETS.forEach(function (k) {
        var n = form.querySelectorAll('input[name="' + k + '"]:checked').length;
        totalChecked += n;
        var badge = form.querySelector('[data-count-for="' + k + '"]');
        if (badge) badge.textContent = n ? ' (' + n + ' chosen)' : '';
      });
      document.getElementById('lw-filter-count').textContent = totalChecked ? ' (' + totalChecked + ' chosen)' : '';
    }

    function thousands(n) {  // 47485 -> "47,485" (the same on every browser, whatever its locale)
      return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    }

    function labelOf(key, value) {
      var m = current && current.meta, i = m ? m.facets[key].indexOf(value) : -1;
      if (i >= 0) return m.labels[key][i];
      var label = form.querySelector('label[for="lw-' + key + '-' + value + '"]');
      return label ? label.firstChild.textContent : value;
    }

    /* "75 results for “art”, Free, nearest to SE8 4RJ first." */
    function describe(state, total) {
      var bits = [];
      if (state.q) bits.push('for “' + state.q + '”');
      FACETS.forEach(function (k) {
        if (state.facets[k].length) bits.push(state.facets[k].map(function (v) { return labelOf(k, v); }).join(' or '));
      });
      if (state.age) bits.push('age ' + state.age);
      if (current && current.point && current.radius) {
        bits.push('within ' + state.r + (state.r === '1' ? ' mile of ' : ' miles of ') + current.point.postcode +
                  (total ? ', nearest first' : ''));
      } else if (total && current && current.point) {
        bits.push('nearest to ' + current.point.postcode + ' first');
      }
      var head = total === 1 ? '1 result' : thousands(total) + ' results';
      return head + (bits.length ? ' ' + bits[0] + (bits.length > 1 ? ', ' + bits.slice(1).join(', ') : '') : '') + '.';
    }

    function run(historyMode) {
      clearTimeout(debounce);  // a search typed and then submitted runs once, and never after a Back
      // Start the fetches every search waits for (meta.json, the postcode's file) before any other work.
      idx.meta().catch(function () {});
      var pointJob = pc.value.trim() ? idx.lookupPostcode(pc.value.trim()) : Promise.resolve(null);
      var state = readForm(), id = ++runId;
      updateFilterCounts();
      var url = toURL(state);
      // one history entry per search: Enter in a field both changes it and submits the form
      if (historyMode === 'push' && url !== location.pathname + location.search) history.pushState(null, '', url);
      else if (historyMode) history.replaceState(null, '', url);
      filters.chips(state);
      pcError.hidden = true;
      pc.removeAttribute('aria-invalid');
      // The postcode is looked up while the word and filter files load (search() takes its Promise).
      var point = pointJob.then(function (p) { return p && !p.error ? p : null; });
      var query = { q: state.q, facets: state.facets, age: state.age === '' ? null : state.age, point: state.pc ? point : null,
                    radius: state.pc && state.r ? radiusKm(state.r) : null };
      return Promise.all([pointJob, idx.search(query)]).then(function (got) {
        if (id !== runId) return null;
        var found = got[0], result = got[1];
        if (found && found.error) {
          pcError.textContent = found.error;
          pcError.hidden = false;
          pc.setAttribute('aria-invalid', 'true');
        }
        current = result;
        current.point = found && !found.error ? found : null;
        list.textContent = '';
        records = [];
        shown = 0;
        filters.counts(result);
        filters.chips(state, result);
        filters.suggest(state, result);
        drawRadius(state);
        if (result.empty) {
          status.textContent = 'Type what you are looking for, or choose a filter.';
          tools.hidden = true;
          more.hidden = true;
          updateMap();
          return null;
        }
        status.textContent = result.total ? describe(state, result.total)
          : 'No results ' + describe(state, 0).replace(/^0 results /, '') + ' Try fewer words or filters.';
        tools.hidden = !result.total;
        more.hidden = true;
        return showMore(id).then(function () { if (historyMode === 'push' && submitted) reveal(); });
      }).catch(function (err) {
        if (id !== runId) return;
        status.textContent = 'Sorry, search is not working right now: ' + err.message;
      });
    }

    /* The next page of results. Each card is drawn as soon as its record and every record before
     * it have arrived, so the first results show while later record files are still loading. */
    function showMore(id) {
      var result = current;
      return result.page(shown + PAGE).then(function (ordinals) {
        if (id !== runId) return null;
        var start = shown, each = result.recordsEach(ordinals.slice(start));
        each.forEach(function (p) { p.catch(function () {}); });  // a failure is reported once, below
        var chain = Promise.resolve();
        each.forEach(function (job, i) {
          chain = chain.then(function () { return job; }).then(function (rec) {
            if (id !== runId || !rec) return;
            var at = start + i;
            var prev = at > 0 ? result.tierOf(ordinals[at - 1]) : -1;
            var t = result.tierOf(rec.ord);
            if (t !== prev && (t > 0 || at > 0)) list.appendChild(tierHeading(t));
            list.appendChild(card(rec, at + 1, result.distance(rec.ord), result.meta));
            records.push(rec);
          });
        });
        return chain.then(function () {
          if (id !== runId) return;
          shown = ordinals.length;
          more.hidden = shown >= result.total;
          more.textContent = 'Show more results (' + thousands(shown) + ' of ' + thousands(result.total) + ' shown)';
          updateMap();
        });
      });
    }

    /* A postcode search offers a radius: "Any distance", "Within 1 / 2 / 5 miles" (one pressed). */
    function drawRadius(state) {
      var box = document.getElementById('lw-radius');
      box.textContent = '';
      box.hidden = !(current && current.point);
      if (box.hidden) return;
      [''].concat(MILES).forEach(function (miles) {
        var text = miles ? 'Within ' + miles + (miles === '1' ? ' mile' : ' miles') : 'Any distance';
        var b = el('button', { type: 'button', class: 'lw-chip lw-radius-chip', 'aria-pressed': String(state.r === miles) }, text);
        b.addEventListener('click', function () { radius.value = miles; run('push'); });
        box.appendChild(b);
      });
    }

    /* "0.8 miles (1.3 km), about 16 minutes' walk": walking at 3 miles an hour. */
    function howFar(km) {
      var miles = km / 1.609344, minutes = Math.max(1, Math.round(miles * 20));
      return (miles < 0.1 ? 'Under 0.1 miles' : miles.toFixed(1) + (miles.toFixed(1) === '1.0' ? ' mile' : ' miles')) +
        ' (' + km.toFixed(1) + ' km)' + (miles <= 3 ? ', about ' + minutes + (minutes === 1 ? ' minute’s' : ' minutes’') + ' walk' : '');
    }

    function tierHeading(t) {
      var li = el('li', { class: 'lw-tier lw-tier-' + t });
      li.appendChild(el('h2', null, TIER_HEADINGS[t]));
      return li;
    }

    function labels(m, key, ints) {
      return (ints || []).map(function (i) { return m.labels[key][i]; }).filter(Boolean).join(', ');
    }

    function card(rec, number, distance, m) {
      var li = el('li', { class: 'lw-result lw-result-tier-' + rec.t, 'data-entry': rec.i, value: String(number) });
      var h = el('h3', { class: 'lw-result-name' });
      h.appendChild(el('span', { class: 'lw-num' }, number + '. '));
      var a = el('a', { href: idx.base + 'entries/' + encodeURIComponent(rec.i) + '/' }, rec.n);
      h.appendChild(a);
      li.appendChild(h);
      if (rec.o && rec.o !== rec.n) li.appendChild(el('p', { class: 'lw-result-org' }, rec.o));
      li.appendChild(el('p', { class: 'lw-notice lw-notice--' + ['fresh', 'stale', 'unverified', 'closed'][rec.t] }, rec.f));
      li.appendChild(el('p', { class: 'lw-result-desc' }, rec.d));
      var facts = el('dl', { class: 'lw-facts' });
      var borough = m.labels.bor[rec.b] || '';
      if (distance != null) fact(facts, 'Distance', rec.q ? 'Somewhere in ' + borough : howFar(distance));
      fact(facts, 'Where', rec.w ? rec.w + (borough ? ' (' + borough + ')' : '') : borough);
      fact(facts, 'Serves', rec.v);  // the areas it takes people from, when known
      fact(facts, 'When', rec.s || NO_TIMES);
      fact(facts, 'Cost', rec.ku ? window.linkwellDom.COST_UNKNOWN : labels(m, 'cost', [rec.k]));
      fact(facts, 'Languages', labels(m, 'lang', rec.l));
      // the rest is on the listing's page: a phone's card keeps to the facts above (search.css)
      fact(facts, 'How', labels(m, 'del', rec.m), null, 'lw-fact-more');
      fact(facts, 'Getting in', labels(m, 'acc', rec.a), null, 'lw-fact-more');
      fact(facts, 'For', [rec.r, labels(m, 'grp', rec.g)].filter(Boolean).join('; '), null, 'lw-fact-more');
      fact(facts, 'Access needs', labels(m, 'a11y', rec.x), null, 'lw-fact-more');
      li.appendChild(facts);
      var sl = window.linkwellShortlist;
      if (sl) li.appendChild(sl.button(rec.i, rec.n));
      return li;
    }

    /* ---- map (Leaflet, loaded only when the map is opened) ---- */
    function loadLeaflet() { return window.linkwellDom.loadLeaflet(idx.base + 'assets/vendor/leaflet/'); }
    /* The tile server configured in mkdocs.yml (extra.map_tiles), which the build writes into
     * assets/linkwell/boroughs.json; OpenStreetMap when that cannot be read. */
    function tileConfig() {
      var fallback = { url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: '© OpenStreetMap contributors', max_zoom: 19 };
      return fetch(idx.base + 'assets/linkwell/boroughs.json').then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (data) { return (data && data.tiles && data.tiles.url) ? data.tiles : fallback; },
          function () { return fallback; });
    }
    var openPin = null;  // the listing whose popup is open: open again when more results redraw the pins
    function updateMap() {
      if (!map || mapPanel.hidden) return;
      var L = window.L, keep = openPin, reopen = null;
      markers.clearLayers();
      var points = [];
      var atSpot = {};  // listings at the same spot fan out around it, each pin numbered and clickable
      records.forEach(function (rec) { if (rec.y) atSpot[rec.y.join()] = (atSpot[rec.y.join()] || 0) + 1; });
      var seen = {};
      records.forEach(function (rec, i) {
        if (!rec.y) return;
        var key = rec.y.join(), k = seen[key] = (seen[key] || 0) + 1, many = atSpot[key] > 1;
        var angle = 2 * Math.PI * (k - 1) / atSpot[key], spread = many ? 14 + 2 * atSpot[key] : 0;
        var icon = L.divIcon({ className: 'lw-pin' + (rec.q ? ' lw-pin-approx' : ''), html: String(i + 1), iconSize: [26, 26],
          iconAnchor: [13 - Math.round(spread * Math.cos(angle)), 13 - Math.round(spread * Math.sin(angle))] });
        var marker = L.marker(rec.y, { icon: icon, title: (i + 1) + '. ' + rec.n, alt: rec.n, keyboard: true });
        marker.bindPopup(popup(rec, current.distance(rec.ord)));
        marker.on('popupopen', function () { openPin = rec.i; });
        marker.on('popupclose', function () { if (openPin === rec.i) openPin = null; });
        if (rec.i === keep) reopen = marker;
        markers.addLayer(marker);
        points.push(rec.y);
      });
      var legend = document.getElementById('lw-map-legend');
      legend.textContent = '';
      legend.appendChild(el('li', { class: 'lw-legend-pin' }, 'Numbered pin: a result, as numbered in the list'));
      if (records.some(function (r) { return r.q; })) {
        legend.appendChild(el('li', { class: 'lw-legend-approx' }, 'Grey dashed pin: no exact place given, shown at its borough’s centre'));
      }
      if (current && current.point) {
        var here = [current.point.lat, current.point.lon];
        markers.addLayer(L.circleMarker(here, { radius: 9, color: '#b00020', weight: 3, fillOpacity: 0.3 })
          .bindTooltip('Postcode ' + current.point.postcode));
        points.push(here);
        legend.appendChild(el('li', { class: 'lw-legend-here' }, 'Red circle: postcode ' + current.point.postcode));
      }
      map.lwPoints = points;
      if (points.length) map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
      if (reopen) reopen.openPopup();
    }
    /* A pin's popup: name, address, distance and Add to shortlist. */
    function popup(rec, distance) {
      var pop = el('div', { class: 'lw-pop' }), m = current.meta, borough = m.labels.bor[rec.b] || '';
      pop.appendChild(el('a', { href: idx.base + 'entries/' + encodeURIComponent(rec.i) + '/' }, rec.n));
      pop.appendChild(el('p', null, rec.w ? rec.w + (borough ? ' (' + borough + ')' : '') : borough));
      if (rec.q) pop.appendChild(el('p', null, 'Somewhere in ' + borough + ': exact place not given, shown at its centre.'));
      else if (distance != null) pop.appendChild(el('p', null, howFar(distance)));
      var sl = window.linkwellShortlist;
      if (sl) pop.appendChild(sl.button(rec.i, rec.n));
      return pop;
    }
    function openMap() {
      mapPanel.hidden = false;
      mapToggle.setAttribute('aria-expanded', 'true');
      mapToggle.textContent = 'Hide the map';
      return Promise.all([loadLeaflet(), tileConfig()]).then(function (got) {
        var L = got[0], cfg = got[1];
        if (!map) {
          map = L.map('lw-map', { scrollWheelZoom: false }).setView([51.507, -0.128], 10);
          var layer = L.tileLayer(cfg.url, { attribution: cfg.attribution, maxZoom: +cfg.max_zoom || 19 });
          var warned = false;
          layer.on('tileerror', function () {
            if (warned) return;
            warned = true;
            document.getElementById('lw-map-note').textContent =
              'The background map could not load; the numbered pins still show where each result is.';
          });
          layer.addTo(map);
          markers = L.layerGroup().addTo(map);
          map.on('resize', function () {  // e.g. a phone turned sideways: keep every pin in view
            if (map.lwPoints && map.lwPoints.length) map.fitBounds(map.lwPoints, { padding: [24, 24], maxZoom: 15 });
          });
        }
        map.invalidateSize();
        updateMap();
      }).catch(function (err) {
        document.getElementById('lw-map-note').textContent = err.message + ' The list still shows every result.';
      });
    }
    mapToggle.addEventListener('click', function () {
      if (mapPanel.hidden) openMap();
      else {
        mapPanel.hidden = true;
        mapToggle.setAttribute('aria-expanded', 'false');
        mapToggle.textContent = 'Show results on a map';
      }
    });

    /* ---- events ---- */
    form.addEventListener('submit', function (e) { e.preventDefault(); submitted = true; run('push'); });
    /* The person has started searching: fetch the small meta.json (which every search needs first)
     * while they type or reach for a filter. Nothing is fetched when the page loads. */
    function startSearching() { idx.meta().catch(function () {}); }
    form.addEventListener('focusin', startSearching);
    form.addEventListener('pointerdown', startSearching);
    pc.addEventListener('input', function () {  // a whole postcode typed: fetch its small file now
      if (/^[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}$/i.test(pc.value.trim())) idx.lookupPostcode(pc.value).catch(function () {});
    });
    q.addEventListener('input', function () {
      clearTimeout(debounce);
      debounce = setTimeout(function () { run('replace'); }, 250);
    });
    form.addEventListener('change', function (e) {
      if (e.target.type === 'checkbox') run('push');
      else if (e.target === pc || e.target === age) run('push');
    });
    document.getElementById('lw-clear').addEventListener('click', function () {
      form.querySelectorAll('input[type="checkbox"]').forEach(function (i) { i.checked = false; });
      run('push');
    });
    more.addEventListener('click', function () {
      var firstNew = shown;
      showMore(runId).then(function () {
        var item = list.querySelectorAll('.lw-result')[firstNew];
        var link = item && item.querySelector('a');
        if (link) link.focus();
      });
    });
    window.addEventListener('popstate', function () {
      clearTimeout(debounce);
      if (fromURL()) { run(null); return; }
      runId++;
      list.textContent = '';
      status.textContent = '';
      records = [];
      tools.hidden = more.hidden = true;
      filters.chips(readForm());
      filters.suggest(null, null);
      updateMap();
    });
    /* Back from a listing: the same results, as far down as they were, with the same filter groups
     * open. Kept in this history entry's state when the person leaves the page. */
    function remember() {
      var open = Array.prototype.filter.call(form.querySelectorAll('details'), function (d) { return d.open; })
        .map(function (d) { return d.dataset.facet || d.id; });
      history.replaceState({ y: window.scrollY, open: open, shown: shown }, '', location.href);
    }
    window.addEventListener('pagehide', remember);
    list.addEventListener('click', function (e) { if (e.target.closest('a')) remember(); });
    var saved = history.state;
    if (saved && saved.open) {
      form.querySelectorAll('details').forEach(function (d) {
        d.open = saved.open.indexOf(d.dataset.facet || d.id) >= 0;
      });
    }
    if (fromURL()) {
      var job = run(null);
      if (saved && saved.y != null) {
        if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
        job.then(function again() {
          if (shown < Math.min(saved.shown || 0, current ? current.total : 0)) return showMore(runId).then(again);
          window.scrollTo(0, saved.y);
          return null;
        });
      }
    }
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
