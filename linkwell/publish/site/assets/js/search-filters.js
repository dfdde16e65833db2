/* Linkwell home-page search: filters that never dead-end.
 *
 * window.linkwellFilters(form, helpers) -> { counts(result), chips(state, result), suggest(state, result) }
 * - counts: each option of an open filter group shows how many results it would give now (within the
 *   radius chosen, if any: the same entries as the list); options that would give none are marked
 *   (the facet's column file is fetched when its group is open);
 * - chips: the chosen filters, words, age, postcode and radius as buttons above the results, each
 *   removing itself (the radius only while it applies: the postcode was found);
 * - suggest: for an empty result, one change that brings results back, as a button: with a radius
 *   chosen, the nearest wider radius that has results (else any distance); otherwise the constraint
 *   whose removal brings most results back (within the radius, when nothing is found at any distance).
 * helpers: { run(mode), labelOf(key, value), miles: the radius chips' miles, radiusKm(miles) }. Text
 * comes from meta.json and the form: built with textContent only.
 */
(function () {
  'use strict';
  var el = window.linkwellDom.el;

  window.linkwellFilters = function (form, helpers) {
    var idx = window.linkwellIndex, chipsNode = document.getElementById('lw-chips');
    var suggestNode = document.getElementById('lw-suggest'), panel = document.getElementById('lw-filters');
    var current = null, asked = 0, suggested = 0;

    function showCounts(key, counts, m) {
      if (!counts) return;
      m.facets[key].forEach(function (value, i) {
        var box = form.querySelector('#lw-' + key + '-' + value);
        if (!box) return;
        var label = form.querySelector('label[for="' + box.id + '"]'), span = label.querySelector('.lw-opt-n');
        if (!span) { span = el('span', { class: 'lw-opt-n' }); label.appendChild(span); }
        span.textContent = ' (' + counts[i].toLocaleString('en-GB') + ')';
        box.parentNode.classList.toggle('lw-opt-none', counts[i] === 0 && !box.checked);
        if (counts[i] === 0 && !box.checked) span.textContent = ' (none)';
      });
    }
    /* Counts for every open group of the open Filters panel, for the current result (or the whole
     * directory before a search). */
    function counts(result) {
      if (result !== undefined) current = result;
      if (!panel.open) return Promise.resolve();
      var ask = ++asked;
      var groups = Array.prototype.filter.call(form.querySelectorAll('details[data-facet]'), function (d) { return d.open; });
      return idx.meta().then(function (m) {
        return Promise.all(groups.map(function (g) {
          var key = g.dataset.facet;
          var job = current && !current.empty ? current.counts(key) : idx.countsAll(key);
          return job.then(function (c) { if (ask === asked) showCounts(key, c, m); });
        }));
      }).catch(function () {});  // counts are a help: the results stand without them
    }
    panel.addEventListener('toggle', function () { counts(); });
    form.querySelectorAll('details[data-facet]').forEach(function (d) {
      d.addEventListener('toggle', function () { if (d.open) counts(); });
    });

    function chip(text, remove) {
      var li = el('li'), b = el('button', { type: 'button', class: 'lw-chip', 'aria-label': 'Remove ' + text }, text + ' ');
      b.appendChild(el('span', { 'aria-hidden': 'true' }, '×'));
      b.addEventListener('click', function () { remove(); helpers.run('push'); });
      li.appendChild(b);
      return li;
    }
    function clearInput(name) { return function () { form.elements[name].value = ''; }; }
    function untick(key, value) {
      return function () { var box = form.querySelector('#lw-' + key + '-' + value); if (box) box.checked = false; };
    }
    /* The chosen filters as removable chips above the results. */
    function chips(state, result) {
      chipsNode.textContent = '';
      if (state.q) chipsNode.appendChild(chip('“' + state.q + '”', clearInput('q')));
      Object.keys(state.facets).forEach(function (key) {
        state.facets[key].forEach(function (value) {
          var text = helpers.labelOf(key, value);
          chipsNode.appendChild(chip(text, untick(key, value)));
        });
      });
      if (state.age) chipsNode.appendChild(chip('Age ' + state.age, clearInput('age')));
      if (state.pc) chipsNode.appendChild(chip('Near ' + state.pc.toUpperCase(), clearInput('pc')));
      if (state.pc && state.r && (!result || result.radius)) {
        chipsNode.appendChild(chip('Within ' + state.r + (state.r === '1' ? ' mile' : ' miles'), clearInput('r')));
      }
      chipsNode.hidden = !chipsNode.childNodes.length;
    }

    function plural(n) { return n.toLocaleString('en-GB') + (n === 1 ? ' result' : ' results'); }

    /* For an empty result, one change that brings results back, as a button. */
    function suggest(state, result) {
      var ask = ++suggested;
      suggestNode.textContent = '';
      suggestNode.hidden = true;
      if (!result || result.empty || result.total) return Promise.resolve();
      return wider(state, result).then(function (change) {
        change = change || relaxOne(state, result);
        if (!change || ask !== suggested) return;
        var button = el('button', { type: 'button', class: 'md-button lw-suggest-go' }, change.text);
        button.addEventListener('click', function () { change.apply(); helpers.run('push'); });
        suggestNode.appendChild(button);
        suggestNode.hidden = false;
      }).catch(function () {});  // a suggestion is a help: the empty result stands without it
    }

    /* Nothing within the radius chosen, some farther away: the nearest wider radius chip that has
     * results (one at a time, nearest first: a wider circle fetches more), else any distance. */
    function wider(state, result) {
      if (!result.radius || !result.beyond) return Promise.resolve(null);
      var miles = helpers.miles.filter(function (mi) { return +mi > +state.r; });
      var any = { text: 'Show results at any distance (' + plural(result.beyond) + ')',
                  apply: function () { form.elements.r.value = ''; } };
      function next(i) {
        if (i >= miles.length) return Promise.resolve(any);
        return result.within(helpers.radiusKm(miles[i])).then(function (n) {
          if (!n) return next(i + 1);
          return { text: 'Widen to ' + miles[i] + ' miles to see ' + plural(n),
                   apply: function () { form.elements.r.value = miles[i]; } };
        });
      }
      return next(0);
    }

    /* The constraint (words, one word, a filter, the age) whose removal brings most results back. */
    function relaxOne(state, result) {
      var best = result.relax().filter(function (c) { return c.kind !== 'radius'; })[0];
      if (!best) return null;
      var what, remove;
      if (best.kind === 'words') {
        what = (idx.tokens(state.q).length > 1 ? 'the words “' : 'the word “') + state.q + '”';
        remove = clearInput('q');
        if (result.groups.length > 1 && result.groups.length === idx.tokens(state.q).length) {
          var word = idx.tokens(state.q)[best.index];
          if (word) {
            what = 'the word “' + word + '”';
            remove = function () {
              form.elements.q.value = idx.tokens(state.q).filter(function (_, i) { return i !== best.index; }).join(' ');
            };
          }
        }
      } else if (best.kind === 'age') {
        what = 'the age';
        remove = clearInput('age');
      } else {
        what = state.facets[best.key].map(function (v) { return helpers.labelOf(best.key, v); }).join(' or ');
        remove = function () { state.facets[best.key].forEach(function (v) { untick(best.key, v)(); }); };
      }
      return { text: 'Remove ' + what + ' to see ' + plural(best.count), apply: remove };
    }

    return { counts: counts, chips: chips, suggest: suggest };
  };
})();
