/* Entry pages: draw the listing's map pin with Leaflet (vendored) and offer a print button.
   The page is complete without this script: the address and an OpenStreetMap link are always
   shown, and the map still shows its pin when the tile server cannot be reached. Leaflet (its
   script and styles, ~42 KB gzipped) is fetched only when the map comes near the screen, so a
   listing read on a phone above the map costs none of it. The map box carries data-leaflet, the
   folder Leaflet was copied to. */
(function () {
  "use strict";
  var print = document.querySelector(".lw-print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  var box = document.getElementById("lw-map");
  if (!box || !box.dataset.leaflet) return;
  var lat = parseFloat(box.dataset.lat), lon = parseFloat(box.dataset.lon);
  if (!isFinite(lat) || !isFinite(lon)) return;

  function draw(L) {
    var map = L.map(box, { scrollWheelZoom: false }).setView([lat, lon], 15);
    var tiles = L.tileLayer(box.dataset.tiles, {
      maxZoom: parseInt(box.dataset.maxZoom || "19", 10),
      attribution: box.dataset.attribution || ""
    });
    tiles.on("tileerror", function () { box.classList.add("lw-map--no-tiles"); });
    tiles.addTo(map);
    var marker = L.marker([lat, lon], { title: box.dataset.label || "", alt: box.dataset.label || "" }).addTo(map);
    marker.bindTooltip(document.createTextNode(box.dataset.label || ""));
    box.classList.add("lw-map--ready");
  }

  function show() {
    window.linkwellDom.loadLeaflet(box.dataset.leaflet)
      .then(draw, function () { box.classList.add("lw-map--no-tiles"); });
  }
  if (!("IntersectionObserver" in window)) { show(); return; }
  var seen = new IntersectionObserver(function (changes) {
    if (!changes.some(function (c) { return c.isIntersecting; })) return;
    seen.disconnect();
    show();
  }, { rootMargin: "300px" });
  seen.observe(box);
})();
