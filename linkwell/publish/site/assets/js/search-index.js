/* Linkwell search engine: reads the static index written by linkwell/search_index.py.
 *
 * window.linkwellIndex = { base, search(query), recordsFor(ordinals), recordsEach(ordinals), recordsForIds(ids),
 *   lookupPostcode(text), tokens(text), meta() }.
 * Nothing is fetched until search()/lookup is called. Every file is fetched at most once per page.
 * A query is { q, facets: {key: [values]}, age, point: {lat, lon} | null, radius: km | null }; search() resolves to a
 * Result whose page(n) gives the first n ordinals in display order (tier, then relevance or distance)
 * and whose recordsEach(ordinals) gives their display records (by place when sorted by distance);
 * result.counts(key) gives each option's count and result.relax() what each constraint holds back,
 * both within the radius when one is chosen. Ordering by distance and the circle of a radius are
 * in search-geo.js (window.linkwellGeo), which a page that searches loads too.
 */
(function () {
  'use strict';
  if (window.linkwellIndex) return;

  var script = document.currentScript;
  var base = new URL('../', script ? script.src : location.href).href;
  var STOP = {};
  ('an and are as at be but by for from has have in into is it its of on or our so that the their them ' +
   'they this to was we were will with you your').split(' ').forEach(function (w) { STOP[w] = 1; });

  var cache = {};
  function fetchJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(base + path, { credentials: 'same-origin' }).then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error('Search data could not be loaded (' + r.status + ').');
        return r.json();
      });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }

  var metaPromise = null;
  function meta() {
    if (!metaPromise) metaPromise = fetchJSON('search/meta.json');
    return metaPromise;
  }
  function partPath(m, path) { return 'search/' + m.base + '/' + path; }
  function part(m, path) { return fetchJSON(partPath(m, path)); }

  function tokens(text) {
    var t = String(text || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/['\u2019]/g, '');
    return t.split(/[^a-z0-9]+/).filter(function (w) { return w.length >= 2 && !STOP[w]; });
  }

  /* The stem of an index word, the same rules as linkwell/publish/search/everyday.py's stem():
   * "debts" -> "debt", "counselling" -> "counsel", "loneliness" -> "lonel". A stem is matched as a
   * prefix, so it finds every form of the word. */
  var SUFFIXES = [['iness', '', 4], ['ness', '', 4], ['ssion', 'ss', 4], ['ation', 'at', 4], ['ies', '', 4],
    ['ing', '', 4], ['ed', '', 4], ['ly', '', 4], ['sses', 'ss', 4], ['ches', 'ch', 4], ['shes', 'sh', 4],
    ['ss', 'ss', 0], ['us', 'us', 0], ['is', 'is', 0], ['s', '', 3]];
  function stem(word) {
    for (var i = 0; i < SUFFIXES.length; i++) {
      var s = SUFFIXES[i];
      if (word.length <= s[0].length || word.slice(-s[0].length) !== s[0]) continue;
      var root = word.slice(0, word.length - s[0].length) + s[1];
      if (root.length < s[2]) return word;
      if ((s[0] === 'ing' || s[0] === 'ed') && /([bdglmnprt])\1$/.test(root)) root = root.slice(0, -1);
      return root;
    }
    return word;
  }

  /* Call fn with each id of an id list (deltas array or base64 bitset), in order. */
  function eachId(enc, fn) {
    if (enc == null) return;
    if (typeof enc === 'string') {
      var bin = atob(enc);
      for (var i = 0; i < bin.length; i++) {
        var byte = bin.charCodeAt(i);
        if (!byte) continue;
        for (var b = 0; b < 8; b++) if (byte & (1 << b)) fn(i * 8 + b);
      }
    } else {
      var n = 0;
      for (var j = 0; j < enc.length; j++) { n += enc[j]; fn(n); }
    }
  }
  /* Decode an id list into the bitmap `into` with OR. */
  function orInto(into, enc) {
    eachId(enc, function (id) { into[id] = 1; });
    return into;
  }
  /* The ids of an id list, in order (without a bitmap of every entry). */
  function listOf(enc) {
    var out = [];
    eachId(enc, function (id) { out.push(id); });
    return out;
  }
  /* A bitmap of every entry, one byte each, padded with zeros to whole 32-bit words (so the loops
   * below can skip or combine four entries at a time). */
  function bitmap(m) { return new Uint8Array((m.total + 3) & ~3); }
  function words32(bm) { return new Uint32Array(bm.buffer, bm.byteOffset, bm.length >> 2); }
  function andInto(acc, bm) {
    if (!acc) return bm;
    var a = words32(acc), b = words32(bm);
    for (var i = 0; i < a.length; i++) a[i] &= b[i];
    return acc;
  }

  function orBits(acc, bm) {
    var a = words32(acc), b = words32(bm);
    for (var i = 0; i < a.length; i++) a[i] |= b[i];
    return acc;
  }
  function uniq(list) { return list.filter(function (x, i) { return list.indexOf(x) === i; }); }

  function shardFor(m, tok) {
    var p2 = tok.slice(0, 2);
    return 't/' + (m.split.indexOf(p2) >= 0 && tok.length >= 3 ? tok.slice(0, 3) : p2) + '.json';
  }

  /* One word: entries whose index terms equal it, or start with it when it has 3+ letters. */
  function termSets(m, tok) {
    var file = shardFor(m, tok);
    var known = (' ' + m.shards + ' ').indexOf(' ' + file.slice(2, -5) + ' ') >= 0;  // no request for a 404
    return (known ? part(m, file) : Promise.resolve(null)).then(function (shard) {
      var all = bitmap(m), names = bitmap(m), nameIds = [];
      if (shard) {
        Object.keys(shard).forEach(function (term) {
          if (term === tok || (tok.length >= 3 && term.lastIndexOf(tok, 0) === 0)) {
            orInto(all, shard[term][0]);
            eachId(shard[term][1], function (id) { if (!names[id]) { names[id] = 1; nameIds.push(id); } });
          }
        });
      }
      return { all: all, nameIds: nameIds };
    });
  }

  /* The query's word groups, as linkwell/publish/search/everyday.py's query_groups forms them:
   * [{ prefixes, facets: {key: [values]}, text }], each matched as an OR; a listing matches every group. */
  function queryGroups(m, text) {
    var stems = tokens(text).map(stem), syn = m.syn || {}, out = [], i = 0;
    while (i < stems.length) {
      var two = i + 1 < stems.length ? stems[i] + ' ' + stems[i + 1] : null;
      if (two !== null && Object.prototype.hasOwnProperty.call(syn, two)) {
        var g2 = m.synGroups[syn[two]];
        out.push({ prefixes: g2[0].slice(), facets: g2[1] });
        i += 2;
      } else if (Object.prototype.hasOwnProperty.call(syn, stems[i])) {
        var g1 = m.synGroups[syn[stems[i]]];
        out.push({ prefixes: [stems[i]].concat(g1[0]), facets: g1[1] });
        i += 1;
      } else {
        out.push({ prefixes: [stems[i]], facets: {} });
        i += 1;
      }
    }
    return out;
  }

  /* One group's matches: { all (bitmap), text (bitmap: in a listing's words), names (bitmap: in its name) }. */
  function groupSets(m, group) {
    var keys = Object.keys(group.facets);
    return Promise.all([
      Promise.all(uniq(group.prefixes).map(function (p) { return termSets(m, p); })),
      Promise.all(keys.map(function (k) { return facetSet(m, k, group.facets[k]); }))
    ]).then(function (got) {
      var text = bitmap(m), names = bitmap(m), all;
      got[0].forEach(function (s) {
        orBits(text, s.all);
        s.nameIds.forEach(function (n) { names[n] = 1; });
      });
      all = text.slice();
      got[1].forEach(function (bm) { orBits(all, bm); });
      return { all: all, text: text, names: names };
    });
  }

  function facetFilesOf(m, key, values) {
    return values.filter(function (v) { return m.facetFiles.indexOf(key + '/' + v) >= 0; });
  }
  function facetSet(m, key, values) {
    return Promise.all(facetFilesOf(m, key, values).map(function (v) { return part(m, 'f/' + key + '/' + v + '.json'); }))
      .then(function (encs) {
        var bm = bitmap(m);
        encs.forEach(function (e) { orInto(bm, e); });
        return bm;
      });
  }

  /* The facet (of those asked for) whose chosen values hold the fewest entries, when every one of
   * those values has a file with positions (meta.pos: values held by few entries); else null. */
  function narrowestWithPositions(m, facets, keys) {
    var best = null, fewest = Infinity;
    keys.forEach(function (k) {
      var vals = facetFilesOf(m, k, facets[k]), count = 0;
      for (var i = 0; i < vals.length; i++) {
        var c = (m.pos || {})[k + '/' + vals[i]];
        if (c == null) return;
        count += c;
      }
      if (count < fewest) { best = k; fewest = count; }
    });
    return best;
  }
  /* Like facetSet, from the files with positions; the bitmap carries .positions: [n, y, x, k, ...]
   * (k: the entry's index in its tile's file). */
  function facetSetWithPositions(m, key, values) {
    return Promise.all(facetFilesOf(m, key, values).map(function (v) { return part(m, 'fp/' + key + '/' + v + '.json'); }))
      .then(function (bodies) {
        var bm = bitmap(m), positions = [];
        bodies.forEach(function (body) {
          if (!body) return;
          var n = 0;
          for (var i = 0; i < body.o.length; i++) {
            n += body.o[i];
            bm[n] = 1;
            positions.push(n, body.p[2 * i], body.p[2 * i + 1], body.k[i]);
          }
        });
        bm.positions = positions;
        return bm;
      });
  }

  function ageSet(m, age) {
    return part(m, 'f/age.json').then(function (groups) {
      var bm = bitmap(m).fill(1, 0, m.total);
      (groups || []).forEach(function (g) {
        if (age < g[0] || age > g[1]) {
          eachId(g[2], function (id) { bm[id] = 0; });
        }
      });
      return bm;
    });
  }

  function tierOf(m, n) {
    for (var t = 0; t < m.tiers.length - 1; t++) if (n < m.tiers[t + 1]) return t;
    return m.tiers.length - 2;
  }

  var RECORD_FILES_LIMIT = 24;
  var IO = { part: part, listOf: listOf, recordsFor: function (ordinals) { return recordsFor(ordinals); }, tierOf: tierOf };
  var SHARE_GUESS = 0.1;  // the first tiles fetched before a word's or filter's matches are known expect this share

  /* Run a query. query.point may be a Promise (of a point or null): the word and filter files are
   * fetched while it resolves. Resolves to { total, tierCounts, page(n) -> Promise<ordinals>,
   * distance(n) } or { empty: true } when the query asks for nothing. */
  function search(query) {
    var hasWords = tokens(query.q).length > 0;
    var facetKeys = Object.keys(query.facets || {}).filter(function (k) { return query.facets[k].length; });
    var hasAge = query.age != null && query.age !== '' && !isNaN(query.age);
    if (!hasWords && !facetKeys.length && !hasAge && !query.point) return Promise.resolve({ empty: true });
    return meta().then(function (m) {
      if (!m) throw new Error('The search index is missing from this site build.');
      var groups = queryGroups(m, query.q);
      // sorted by distance: a narrow filter's file with positions orders the matches without tiles
      // (within a radius, the tiles the circle reaches order them: GeoOrder.circle)
      var posKey = query.point && !query.radius ? narrowestWithPositions(m, query.facets, facetKeys) : null;
      var facetJobs = facetKeys.map(function (k) {
        return k === posKey ? facetSetWithPositions(m, k, query.facets[k]) : facetSet(m, k, query.facets[k]);
      });
      if (hasAge) facetJobs.push(ageSet(m, +query.age));
      var geoJob = Promise.resolve(query.point).then(function (point) {
        if (!point) return null;
        var geo = window.linkwellGeo.order(m, point, IO);
        if (query.radius) geo.circle(query.radius).catch(function () {});  // with the word and filter files
        else if (!posKey) geo.prefetch(hasWords || facetKeys.length || hasAge ? SHARE_GUESS : 1);
        return geo;
      });
      var groupJobs = Promise.all(groups.map(function (g) { return groupSets(m, g); }));
      return Promise.all([groupJobs, Promise.all(facetJobs), geoJob]).then(function (res) {
        var geo = res[2];
        if (!groups.length && !facetKeys.length && !hasAge && !geo) return { empty: true };
        var constraints = res[0].map(function (s, i) { return { kind: 'words', index: i, bm: s.all }; })
          .concat(facetKeys.map(function (k, i) { return { kind: 'facet', key: k, bm: res[1][i] }; }));
        if (hasAge) constraints.push({ kind: 'age', bm: res[1][facetKeys.length] });
        var acc = intersect(m, constraints, null);
        var found = matchesInOrder(m, acc);
        var result = { total: found.total, tierCounts: found.tierCounts, meta: m, groups: groups,
                       tierOf: function (n) { return tierOf(m, n); }, recordsEach: recordsEach,
                       counts: function (key) { return countsFor(m, constraints, key); },
                       relax: function () { return relax(m, constraints); } };
        if (geo && query.radius) return withinRadius(m, result, constraints, geo, query.radius);
        if (geo && found.total) {
          geo.setMatches(acc, found.tierCounts, found.matched);
          if (posKey) geo.fromPositions(res[1][facetKeys.indexOf(posKey)].positions);
          geo.viaRecords = found.chunks <= RECORD_FILES_LIMIT;
          result.page = function (need) { return geo.page(need); };
          result.distance = function (n) { return geo.distance[n]; };
          result.recordsEach = function (ordinals) { return recordsEach(ordinals, geo.place); };
        } else {
          var ordinals = groups.length ? byRelevance(found, res[0]) : found.matched || [];
          result.page = function (need) { return Promise.resolve(ordinals.slice(0, need)); };
          result.distance = function () { return undefined; };
        }
        return result;
      });
    });
  }

  /* The result cut to the entries within `radius` km of the point: the circle (geo.circle) is one
   * more constraint, so the total, the list, each filter option's count (countsFor) and the
   * empty-result suggestions (relax) count the same entries. result.beyond: how many the search
   * gives at any distance; result.within(km): how many it would give within another radius. */
  function withinRadius(m, result, constraints, geo, radius) {
    return geo.circle(radius).then(function (circle) {
      var all = constraints.concat([{ kind: 'radius', bm: circle.bm }]);
      var acc = intersect(m, all, null), found = matchesInOrder(m, acc);
      var list = circle.list.filter(function (f) { return acc[f.n]; });  // nearest first within each tier
      result.beyond = result.total;
      result.total = found.total;
      result.tierCounts = found.tierCounts;
      result.radius = radius;
      result.page = function (need) { return Promise.resolve(list.slice(0, need).map(function (f) { return f.n; })); };
      result.distance = function (n) { return geo.distance[n]; };
      result.recordsEach = function (ordinals) { return recordsEach(ordinals, geo.place); };
      result.counts = function (key) { return countsFor(m, all, key); };
      result.relax = function () { return relax(m, all); };
      result.within = function (km) {
        return geo.circle(km).then(function (wider) {
          return matchesInOrder(m, intersect(m, constraints.concat([{ kind: 'radius', bm: wider.bm }]), null)).total;
        });
      };
      return result;
    });
  }

  /* The AND of the constraints' bitmaps, leaving out `skip` (a constraint, or a facet key); null
   * when there is none (everything matches). */
  function intersect(m, constraints, skip) {
    var acc = null;
    constraints.forEach(function (c) {
      if (c === skip || (c.kind === 'facet' && c.key === skip)) return;
      acc = acc ? andInto(acc, c.bm) : c.bm.slice();
    });
    return acc;
  }

  /* The matches of bitmap `acc` (null: every entry) in entry order, each tier's count, and how many
   * record files they span. Entries are numbered in tier order, so one pass gives them all. */
  function matchesInOrder(m, acc) {
    var tierCounts = m.tiers.slice(1).map(function (end, t) { return acc ? 0 : end - m.tiers[t]; });
    var matched = null, chunks = Infinity;
    if (acc) {
      var w = words32(acc), bounds = m.tiers, t = 0, end = bounds[1], chunk = m.chunk, last = -1;
      matched = [];
      chunks = 0;
      for (var i = 0; i < w.length; i++) {
        if (!w[i]) continue;  // four entries at a time
        for (var n = 4 * i; n < 4 * i + 4; n++) {
          if (!acc[n]) continue;
          while (n >= end) end = bounds[++t + 1];
          tierCounts[t]++;
          matched.push(n);
          if ((n / chunk | 0) !== last) { chunks++; last = n / chunk | 0; }
        }
      }
    }
    var total = tierCounts.reduce(function (a, b) { return a + b; }, 0);
    return { matched: matched, tierCounts: tierCounts, total: total, chunks: chunks };
  }

  /* Within each tier, higher relevance first, then entry (name) order. An entry's relevance is, per
   * word group, 2 for a match in its name, 1 in its text or tags, 0 through a category or tag of the
   * synonym table alone. A bucket per relevance level (a few small integers): no sort. */
  function byRelevance(found, sets) {
    var matched = found.matched, score = new Uint8Array(matched.length), top = 0, out = [];
    for (var i = 0; i < matched.length; i++) {
      var n = matched[i], s = 0;
      for (var g = 0; g < sets.length; g++) s += sets[g].names[n] ? 2 : sets[g].text[n];
      score[i] = s;
      if (s > top) top = s;
    }
    for (var k = 0, at = 0; k < found.tierCounts.length; at += found.tierCounts[k++]) {
      for (var level = top; level >= 0; level--) {
        for (var j = at; j < at + found.tierCounts[k]; j++) if (score[j] === level) out.push(matched[j]);
      }
    }
    return out;
  }

  /* How many results each value of facet `key` would give with the other constraints as they are
   * (values of one facet are alternatives). Resolves to an array in meta.facets[key] order. */
  function countsFor(m, constraints, key) {
    return column(m, key).then(function (col) {
      return col ? countColumn(m, col, intersect(m, constraints, key)) : null;
    });
  }
  /* Counts over the whole directory (before any search). */
  function countsAll(key) {
    return meta().then(function (m) { return m ? countsFor(m, [], key) : null; });
  }
  var columns = {};
  /* A facet's column (c/<key>.json): each entry's value number + 1 (single-valued facets) or a bitmask
   * of w bytes; decoded once. */
  function column(m, key) {
    if (!columns[key]) {
      columns[key] = part(m, 'c/' + key + '.json').then(function (body) {
        if (!body) return null;
        var bin = atob(body.d), bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        return { w: body.w, single: body.s, n: body.n, bytes: bytes };
      });
      columns[key].catch(function () { delete columns[key]; });
    }
    return columns[key];
  }
  function countColumn(m, col, base) {
    var counts = new Array(col.n).fill(0), bytes = col.bytes, w = col.w, n, b, v, bit;
    for (n = 0; n < m.total; n++) {
      if (base && !base[n]) continue;
      if (col.single) {
        if (bytes[n]) counts[bytes[n] - 1]++;
        continue;
      }
      for (b = 0; b < w; b++) {
        v = bytes[n * w + b];
        for (bit = 0; v; bit++, v >>= 1) if (v & 1) counts[b * 8 + bit]++;
      }
    }
    return counts;
  }

  /* For an empty result: each constraint with the number of results the query gives without it,
   * most results first. */
  function relax(m, constraints) {
    return constraints.map(function (c) {
      var acc = intersect(m, constraints, c);
      return { kind: c.kind, key: c.key, index: c.index, count: acc ? matchesInOrder(m, acc).total : m.total };
    }).filter(function (x) { return x.count > 0; }).sort(function (a, b) { return b.count - a.count; });
  }

  /* One Promise per ordinal, of its display record (null if none). The record files are requested
   * in the order of the ordinals given, so the first results' files come first and can be drawn
   * while later ones are still on their way. place ({ordinal: [file, index]}, optional) says which
   * file of records by place holds each one, besides the file of records in entry order: each
   * record comes from whichever of its two files holds more of the ordinals (one already fetched
   * counts as holding them all; a tie goes to entry order, the smaller files). */
  function recordsEach(ordinals, place) {
    var got = meta().then(function (m) {
      var inOrder = function (n) { return ['r/' + Math.floor(n / m.chunk) + '.json', n % m.chunk]; };
      var holds = {};
      var count = function (where) {
        holds[where[0]] = cache[partPath(m, where[0])] ? Infinity : (holds[where[0]] || 0) + 1;
      };
      ordinals.forEach(function (n) {
        count(inOrder(n));
        if (place && place[n]) count(place[n]);
      });
      return ordinals.map(function (n) {
        var where = inOrder(n), near = place && place[n];
        if (near && holds[near[0]] > holds[where[0]]) where = near;
        return part(m, where[0]).then(function (body) {
          var rec = body && body[where[1]];
          return rec ? Object.assign({}, rec, { ord: n }) : null;
        });
      });
    });
    return ordinals.map(function (_, i) { return got.then(function (each) { return each[i]; }); });
  }

  /* Display records for ordinals, in the same order. */
  function recordsFor(ordinals) { return Promise.all(recordsEach(ordinals)); }

  function idShard(id) {
    var h = 0x811c9dc5, bytes = new TextEncoder().encode(id);
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h % 64;
  }

  /* Records for entry ids (shortlist); an id no longer in the directory gives null. */
  function recordsForIds(ids) {
    return meta().then(function (m) {
      if (!m) return ids.map(function () { return null; });
      return Promise.all(ids.map(function (id) {
        return part(m, 'id/' + (idShard(id) % m.idShards) + '.json').then(function (map) {
          return map && Object.prototype.hasOwnProperty.call(map, id) ? map[id] : null;
        });
      })).then(function (ordinals) {
        var known = ordinals.filter(function (n) { return n != null; });
        return recordsFor(known).then(function (recs) {
          var byN = {};
          recs.forEach(function (r) { if (r) byN[r.ord] = r; });
          return ordinals.map(function (n) { return n == null ? null : byN[n] || null; });
        });
      });
    });
  }

  /* "se84rj" / "SE8 4RJ" / "SE8" -> Promise<{postcode, lat, lon, borough} | {error}> (borough: its
   * number in meta.facets.bor, for a whole postcode). */
  function lookupPostcode(text) {
    var s = String(text || '').toUpperCase().replace(/[^A-Z0-9]/g, '');
    var m = /^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})?$/.exec(s);
    if (!m) return Promise.resolve({ error: 'That does not look like a postcode. Try one like SE8 4RJ, or just SE8.' });
    var outward = m[1], inward = m[2] || '';
    return fetchJSON('postcodes/' + outward + '.json').then(function (shard) {
      var label = inward ? outward + ' ' + inward : outward;
      if (!shard) return { error: label + ' is not a London postcode we know.' };
      var p = shard[inward];
      if (!p) return { error: 'We could not find ' + label + '. Check it, or type just the first half (' + outward + ').' };
      return { postcode: label, lat: p[0], lon: p[1], borough: p.length > 2 && p[2] >= 0 ? p[2] : null };
    });
  }

  /* Links from entry data: only http(s), mailto and tel. */
  function safeUrl(value, kind) {
    var v = String(value || '').trim();
    if (kind === 'tel') return /^\+?[0-9 ()-]{6,20}$/.test(v) ? 'tel:' + v.replace(/[^0-9+]/g, '') : null;
    if (kind === 'mailto') return /^[^\s@<>"]+@[^\s@<>"]+$/.test(v) ? 'mailto:' + v : null;
    try {
      var u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (e) { return null; }
  }

  window.linkwellIndex = {
    base: base, meta: meta, search: search, recordsFor: recordsFor, recordsEach: recordsEach,
    recordsForIds: recordsForIds,
    lookupPostcode: lookupPostcode, tokens: tokens, stem: stem, safeUrl: safeUrl, countsAll: countsAll
  };
})();
