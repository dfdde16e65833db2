/* Linkwell search: results nearest first from a postcode, and the entries within a radius chosen.
 *
 * window.linkwellGeo = { km(lat1, lon1, lat2, lon2), order(meta, point, io) -> GeoOrder }.
 * point: {lat, lon}; io: the engine's readers from search-index.js, { part(meta, path) -> Promise of a
 * file of this build, listOf(id list), recordsFor(ordinals), tierOf(meta, ordinal) }. A GeoOrder
 * orders a query's matches by distance (setMatches, then page(n)) and gives every entry within a
 * radius (circle(km)). It reads the position files linkwell/publish/search/files.py writes: g/ tiles
 * by tier, their 2 x 2 blocks, g/<tier>/approx.json and (for a radius) g/all/ tiles of every tier. Loaded on the pages that search (not on a
 * listing's page); search-index.js calls it only from search().
 */
(function () {
  'use strict';
  if (window.linkwellGeo) return;

  /* Kilometres between two points (equirectangular; well within 1 % across London). */
  function km(lat1, lon1, lat2, lon2) {
    var x = (lon2 - lon1) * Math.cos((lat1 + lat2) * Math.PI / 360) * 111.32, y = (lat2 - lat1) * 110.57;
    return Math.sqrt(x * x + y * y);
  }
  function tileRect(m, name) {
    var xy = name.split('-'), tx = +xy[0], ty = +xy[1];
    var lat0 = m.tile[0] + ty * m.tile[2], lon0 = m.tile[1] + tx * m.tile[3];
    return { lat0: lat0, lon0: lon0, lat1: lat0 + m.tile[2], lon1: lon0 + m.tile[3] };
  }
  function tileDistance(r, p) {
    var lat = Math.min(Math.max(p.lat, r.lat0), r.lat1), lon = Math.min(Math.max(p.lon, r.lon0), r.lon1);
    return km(p.lat, p.lon, lat, lon);
  }

  /* Within a tier, listings at an exact place nearest first, then those placed at their borough's
   * centre (a: 1; nearest centre first). */
  function byDistance(a, b) { return a.t - b.t || a.a - b.a || a.d - b.d || a.n - b.n; }

  /* Nearest-first within each tier. Position tiles are split by tier (g/<tier>/<tile>.json), so a
   * tier's matches are ordered from that tier's tiles alone. A tier's first tiles are the 2 x 2 block
   * around the point, in one file (g/<tier>/b<tx>-<ty>.json), with as many of its nearest other tiles
   * as the matches are expected to need (firstRound); later tiles are fetched in order of distance
   * until the first `need` results are certain (no unfetched tile of the tier can hold anything
   * nearer). Made as soon as the point is known, before the matches are: the first tier's first
   * round is fetched while the word and filter files are (prefetch); setMatches then gives what to
   * order. */
  function GeoOrder(m, point, io) {
    this.m = m; this.point = point; this.io = io; this.distance = {};
    this.circles = {};  // radius -> Promise of the entries within it (circle)
    this.place = {};  // ordinal -> [file of records by place, index in it], for the matches found in tiles
    var near = this.near = Object.keys(m.tiles).map(function (name) {
      return { name: name, d: tileDistance(tileRect(m, name), point) };
    }).sort(function (a, b) { return a.d - b.d; });
    // the block: the point's tile and the three toward its nearest corner
    var bx = Math.floor((point.lon - m.tile[1]) / m.tile[3] - 0.5), by = Math.floor((point.lat - m.tile[0]) / m.tile[2] - 0.5);
    this.block = bx + '-' + by;
    var inBlock = {};
    [0, 1].forEach(function (dx) { [0, 1].forEach(function (dy) { inBlock[(bx + dx) + '-' + (by + dy)] = 1; }); });
    this.tiers = m.tierNames.map(function (_, t) {
      var tiles = near.filter(function (x) { return m.tiles[x.name][t]; });
      return { t: t, tiles: tiles, block: tiles.filter(function (x) { return inBlock[x.name]; }),
               asked: {}, next: 0, found: [], pre: 0, approx: m.approx && m.approx[t] ? null : [] };
    });
  }
  var FIRST_TILES = 4;  // a later round of a tier's tiles is never smaller than this
  /* Request those of `tiles` (of tier `tier`) not asked for yet. Resolves to [[tile name, body], ...]
   * once all have arrived. */
  GeoOrder.prototype.fetchTiles = function (tier, tiles) {
    var self = this;
    return Promise.all(tiles.filter(function (x) {
      if (tier.asked[x.name]) return false;
      tier.asked[x.name] = 1;
      return true;
    }).map(function (x) {
      return self.tileBody(tier, x.name).then(function (b) { return [x.name, b]; });
    }));
  };
  /* One tile of a tier (null if it holds none of the tier's entries): from the block's file when the
   * tile is in the block (g/<tier>/b<block>.json), else from its own. Each file is fetched once. */
  GeoOrder.prototype.tileBody = function (tier, name) {
    var m = this.m, inBlock = tier.block.some(function (x) { return x.name === name; });
    if (!inBlock) return this.io.part(m, 'g/' + tier.t + '/' + name + '.json');
    return this.io.part(m, 'g/' + tier.t + '/b' + this.block + '.json').then(function (b) { return (b && b[name]) || null; });
  };
  /* The tier's matches placed at their borough's centre (g/<tier>/approx.json), nearest centre first:
   * tier.approx, listed after the tier's exact places. */
  GeoOrder.prototype.fetchApprox = function (tier) {
    var self = this, m = this.m;
    if (tier.approx) return Promise.resolve();
    return this.io.part(m, 'g/' + tier.t + '/approx.json').then(function (body) {
      var ids = body ? self.io.listOf(body.o) : [], list = [];
      for (var i = 0; i < ids.length; i++) {
        if (self.matches && !self.matches[ids[i]]) continue;
        var d = km(self.point.lat, self.point.lon, m.tile[0] + body.p[2 * i] / 10000, m.tile[1] + body.p[2 * i + 1] / 10000);
        self.distance[ids[i]] = d;
        list.push({ n: ids[i], d: d, t: tier.t, a: 1 });
      }
      tier.approx = list.sort(byDistance);
    });
  };
  /* A tier's first round: its block and its `count` nearest tiles. */
  GeoOrder.prototype.fetchFirst = function (tier, count) {
    return this.fetchTiles(tier, tier.block.concat(tier.tiles.slice(0, count)));
  };
  /* Fetch the first tier's first round, as large as firstRound expects for `share` of its entries. */
  GeoOrder.prototype.prefetch = function (share) {
    var m = this.m, tier = this.tiers.filter(function (x) { return m.tiers[x.t + 1] > m.tiers[x.t]; })[0];
    if (!tier) return;
    tier.pre = this.firstRound(tier, 20, share);
    tier.first = this.fetchFirst(tier, tier.pre);
    tier.first.catch(function () {});  // reported by page(), which waits for it
  };
  /* matches: a bitmap of the matches and matched their ordinals, both null when everything matches. */
  GeoOrder.prototype.setMatches = function (matches, tierCounts, matched) {
    this.matches = matches; this.tierCounts = tierCounts; this.matched = matched;
  };
  /* How many of a tier's nearest tiles to fetch first: the fewest expected to hold 1.5 x `need` of
   * its matches no farther than its next tile, the distance up to which their order is certain
   * (each tile's count from meta.json spread evenly over the tile — a 4 x 4 grid of sample points —
   * and `share` of them matching), plus every tile as near as the last of those. */
  GeoOrder.prototype.firstRound = function (tier, need, share) {
    var m = this.m, tiles = tier.tiles, point = this.point, samples = [], k;
    for (k = Math.min(1, tiles.length); k < tiles.length; k++) {
      var radius = tiles[k].d, expected = 0;
      for (var i = 0; i < k; i++) {
        if (!samples[i]) samples[i] = gridDistances(m, tiles[i].name, point);
        var within = samples[i].filter(function (d) { return d <= radius; }).length;
        expected += m.tiles[tiles[i].name][tier.t] * share * within / samples[i].length;
      }
      if (expected >= 1.5 * need) break;
    }
    while (k < tiles.length && tiles[k].d <= tiles[k - 1].d) k++;
    return k;
  };
  function gridDistances(m, name, point) {
    var r = tileRect(m, name), out = [];
    for (var a = 0.125; a < 1; a += 0.25) {
      for (var b = 0.125; b < 1; b += 0.25) {
        out.push(km(point.lat, point.lon, r.lat0 + a * (r.lat1 - r.lat0), r.lon0 + b * (r.lon1 - r.lon0)));
      }
    }
    return out;
  }
  /* The first `need` ordinals: whole tiers whose matches have all been found, then those of the next
   * tier no farther than its nearest unfetched tile; when fewer than `need` are certain, that tier's
   * next tiles are fetched (the first round: its block and the nearest tiles firstRound expects,
   * then as many again as have been fetched, nearest first). */
  GeoOrder.prototype.page = function (need) {
    var self = this, m = this.m, out = [];
    if (this.sorted) return this.sorted.then(function (list) { return list.slice(0, need).map(function (f) { return f.n; }); });
    if (this.viaRecords) return this.byRecords(need);
    for (var t = 0; t < this.tiers.length && out.length < need; t++) {
      var tier = this.tiers[t], before = out.length;
      if (!this.tierCounts[t]) continue;
      while (tier.next < tier.tiles.length && tier.asked[tier.tiles[tier.next].name] === 2) tier.next++;
      var known = !(m.approx && m.approx[t]) || tier.approx;  // the tier's listings at a borough's centre
      var complete = known && (tier.found.length === this.tierCounts[t] - tier.approx.length ||
                               tier.next >= tier.tiles.length);
      var radius = complete || tier.next >= tier.tiles.length ? Infinity : tier.tiles[tier.next].d;
      out = out.concat(tier.found.filter(function (f) { return f.d <= radius; }).sort(byDistance));
      if (complete) out = out.concat(tier.approx);  // after every exact place of the tier
      if (complete || out.length >= need) continue;
      var batch;
      if (!tier.started) {  // the first round (perhaps already on its way: prefetch)
        tier.started = true;
        var size = Math.max(tier.pre, this.firstRound(tier, need - before, this.tierCounts[t] / (m.tiers[t + 1] - m.tiers[t])));
        batch = Promise.all([tier.first || [], this.fetchFirst(tier, size), this.fetchApprox(tier)])
          .then(function (got) { return got[0].concat(got[1]); });
      } else {  // as many again as have been fetched, nearest first
        var more = tier.tiles.filter(function (x) { return !tier.asked[x.name]; });
        batch = this.fetchTiles(tier, more.slice(0, Math.max(FIRST_TILES, Object.keys(tier.asked).length)));
      }
      return batch.then(function (got) {
        got.forEach(function (tile) { self.readTile(tier, tile[0], tile[1]); });
        return self.page(need);
      });
    }
    return Promise.resolve(out.slice(0, need).map(function (f) { return f.n; }));
  };
  /* Note the matches among a tile's entries (`body`, null if none), with their distances. */
  GeoOrder.prototype.readTile = function (tier, name, body) {
    tier.asked[name] = 2;
    if (!body) return;
    var r = tileRect(this.m, name), ids = this.io.listOf(body.o);
    for (var i = 0; i < ids.length; i++) {
      if (this.matches && !this.matches[ids[i]]) continue;
      var d = km(this.point.lat, this.point.lon, r.lat0 + body.p[2 * i] / 10000, r.lon0 + body.p[2 * i + 1] / 10000);
      tier.found.push({ n: ids[i], d: d, t: tier.t, a: 0 });
      this.distance[ids[i]] = d;
      this.placed(ids[i], tier.t, name, i);
    }
  };
  GeoOrder.prototype.placed = function (n, t, tile, i) {
    var size = this.m.placeChunk;
    this.place[n] = ['p/' + t + '/' + tile + '-' + Math.floor(i / size) + '.json', i % size];
  };

  /* Every entry at an exact place within `radius` km of the point, whatever it matches: { bm: a
   * bitmap of them, list: [{n, d, t, a: 0}] nearest first within each tier }. A listing placed only
   * at its borough's centre is never within a radius (it has no exact place; it is in no tile). Reads
   * each tile the circle reaches, every tier in one file (g/all/<tile>.json). The results list, each
   * filter option's count and the empty-result suggestions all take the entries within a radius
   * from here, so they agree. */
  GeoOrder.prototype.circle = function (radius) {
    var self = this, m = this.m;
    if (this.circles[radius]) return this.circles[radius];
    var job = Promise.all(this.near.filter(function (x) { return x.d <= radius; }).map(function (x) {
      return self.io.part(m, 'g/all/' + x.name + '.json').then(function (body) { return [x.name, body]; });
    })).then(function (tiles) {
      var bm = new Uint8Array((m.total + 3) & ~3), list = [];
      tiles.forEach(function (tile) { self.readCircle(tile[0], tile[1], radius, bm, list); });
      return { bm: bm, list: list.sort(byDistance) };
    });
    this.circles[radius] = job;
    job.catch(function () { delete self.circles[radius]; });
    return job;
  };
  /* Add the entries of one tile (body: every tier's, tier after tier; null if none) within `radius`
   * km to bm and list. */
  GeoOrder.prototype.readCircle = function (name, body, radius, bm, list) {
    if (!body) return;
    var r = tileRect(this.m, name), ids = this.io.listOf(body.o), i = 0;
    for (var t = 0; t < body.n.length; t++) {
      for (var end = i + body.n[t], first = i; i < end; i++) {
        var d = km(this.point.lat, this.point.lon, r.lat0 + body.p[2 * i] / 10000, r.lon0 + body.p[2 * i + 1] / 10000);
        if (d > radius) continue;
        bm[ids[i]] = 1;
        list.push({ n: ids[i], d: d, t: t, a: 0 });
        this.distance[ids[i]] = d;
        this.placed(ids[i], t, name, i - first);  // its index in the tier's tile file
      }
    }
  };

  /* Few matches spread over few record files: read their positions from the display records
   * (needed for the page anyway) instead of every position tile. */
  GeoOrder.prototype.byRecords = function (need) {
    var self = this;
    this.sorted = this.io.recordsFor(this.matched).then(function (recs) {
      return recs.filter(Boolean).map(function (r) {
        var d = r.y ? km(self.point.lat, self.point.lon, r.y[0], r.y[1]) : Infinity;
        self.distance[r.ord] = d;
        return { n: r.ord, d: d, t: self.io.tierOf(self.m, r.ord), a: r.q ? 1 : 0 };
      }).sort(byDistance);
    });
    return this.page(need);
  };

  /* Every match's position is known ([n, y, x, k, ...] from a narrow filter's file): sort them all,
   * no tiles needed. */
  GeoOrder.prototype.fromPositions = function (positions) {
    var m = this.m, list = [], ty = Math.round(m.tile[2] * 10000), tx = Math.round(m.tile[3] * 10000);
    for (var i = 0; i < positions.length; i += 4) {
      var n = positions[i];
      if (!this.matches[n] || this.distance[n] !== undefined) continue;
      var y = positions[i + 1], x = positions[i + 2], k = positions[i + 3], t = this.io.tierOf(m, n), d = Infinity;
      if (y != null) d = km(this.point.lat, this.point.lon, m.tile[0] + y / 10000, m.tile[1] + x / 10000);
      if (k != null) this.placed(n, t, Math.floor(x / tx) + '-' + Math.floor(y / ty), k);
      this.distance[n] = d;
      list.push({ n: n, d: d, t: t, a: y != null && k == null ? 1 : 0 });  // no place index: at a borough's centre
    }
    this.sorted = Promise.resolve(list.sort(byDistance));
  };

  window.linkwellGeo = {
    km: km,
    order: function (m, point, io) { return new GeoOrder(m, point, io); }
  };
})();
