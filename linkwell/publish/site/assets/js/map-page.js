/* The map page: one circle per borough, sized by its number of listings, linking to the
   borough's list. Data (tile settings from mkdocs.yml and the boroughs): assets/linkwell/boroughs.json,
   written at build time. The list under the map works without the map or its tiles. */
(function () {
  "use strict";
  var box = document.getElementById("lw-borough-map");
  if (!box) return;
  var root = box.dataset.source.replace(/assets\/linkwell\/boroughs\.json$/, "");
  fetch(box.dataset.source).then(function (r) { return r.json(); }).then(function (data) {
    var list = document.createElement("ul");
    list.className = "lw-borough-counts";
    var map = null, L = window.L;  // Leaflet, when its script loaded
    if (L) {
      map = L.map(box).setView([51.5, -0.11], 10);
      var tiles = L.tileLayer(data.tiles.url, { maxZoom: data.tiles.max_zoom, attribution: data.tiles.attribution });
      tiles.on("tileerror", function () { box.classList.add("lw-map--no-tiles"); });
      tiles.addTo(map);
    }
    data.boroughs.forEach(function (p) {
      var href = root + "boroughs/" + encodeURIComponent(p.slug) + "/";
      var label = p.name + ": " + p.count + (p.count === 1 ? " listing" : " listings");
      if (map) {
        var circle = L.circleMarker([p.lat, p.lon], {
          radius: Math.max(6, Math.min(30, 4 + Math.sqrt(p.count) * 2)),
          color: "#1a4f8b", weight: 2, fillOpacity: 0.35
        }).addTo(map);
        circle.bindTooltip(document.createTextNode(label));
        circle.on("click", function () { window.location.href = href; });
      }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = href;
      link.textContent = label;
      item.appendChild(link);
      list.appendChild(item);
    });
    var holder = document.getElementById("lw-borough-list");
    if (holder) holder.appendChild(list);
    if (map) box.classList.add("lw-map--ready");
  });
})();
