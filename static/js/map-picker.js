/* Optional map pin for the feedback form. The form works without it: the coordinates can be typed,
   or left empty. Leaflet (vendored, ~40 kB gzipped) is downloaded only when the citizen asks for the map. */
(function () {
  "use strict";
  var box = document.getElementById("map-picker");
  if (!box || !box.dataset.tiles) { return; }
  var button = box.querySelector("button");
  var lat = document.getElementById("latitude");
  var lng = document.getElementById("longitude");
  button.hidden = false;

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (key) { el[key] = attrs[key]; });
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function show() {
    button.disabled = true;
    Promise.all([
      load("link", { rel: "stylesheet", href: box.dataset.css }),
      load("script", { src: box.dataset.js })
    ]).then(function () {
      var area = document.createElement("div");
      area.className = "map";
      box.appendChild(area);
      button.hidden = true;
      var start = lat.value && lng.value ? [parseFloat(lat.value), parseFloat(lng.value)] : [21.3256, 103.9188];
      var map = window.L.map(area).setView(start, lat.value ? 15 : 9);
      window.L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: box.dataset.attribution }).addTo(map);
      window.L.Icon.Default.imagePath = box.dataset.images;
      var marker = null;
      map.on("click", function (event) {
        var p = event.latlng;
        if (marker) { marker.setLatLng(p); } else { marker = window.L.marker(p).addTo(map); }
        lat.value = p.lat.toFixed(6);
        lng.value = p.lng.toFixed(6);
        var details = lat.closest("details");
        if (details) { details.open = true; }
      });
    }).catch(function () {
      button.disabled = false;
    });
  }

  button.addEventListener("click", show);
}());
