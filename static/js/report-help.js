/* Help in the report form, refreshed as the citizen chooses and types: similar open reports nearby, the
   emergency numbers for an urgent category, communes found by an old name. Without this script the same
   help comes back when the form's "check" or "find" button is pressed. Also "use my location": the GPS
   position is read only when the citizen presses the button. */
(function () {
  "use strict";
  var box = document.getElementById("report-help");
  if (!box) { return; }
  var form = box.closest("form");
  var live = document.getElementById("report-help-live");
  // The category picker is a set of radio buttons with icons (feedback/_report_categories.html).
  function chosenCategory() {
    var checked = form ? form.querySelector('input[name="category"]:checked') : null;
    return checked ? checked.value : "";
  }
  var commune = document.getElementById("commune");
  var title = document.getElementById("title");
  var search = document.getElementById("commune_search");
  var timer = null;
  var asked = 0;

  function refresh() {
    var params = new URLSearchParams();
    params.set("category", chosenCategory());
    params.set("commune", commune ? commune.value : "");
    params.set("title", title ? title.value : "");
    params.set("commune_search", search ? search.value : "");
    var mine = ++asked;
    fetch(box.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && mine === asked) { live.innerHTML = data.html; } })
      .catch(function () { /* the buttons still work */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  }

  if (form) {
    form.querySelectorAll('input[name="category"]').forEach(function (radio) {
      radio.addEventListener("change", refresh);
    });
  }
  if (commune) { commune.addEventListener("change", refresh); }
  if (title) { title.addEventListener("input", later); }
  if (search) {
    search.addEventListener("input", later);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); refresh(); }
    });
  }
  /* Choosing a found commune: set the list's value here instead of posting the form. */
  live.addEventListener("click", function (event) {
    var button = event.target.closest("input[name^='pick_commune-']");
    if (!button || !commune) { return; }
    event.preventDefault();
    commune.value = button.name.slice("pick_commune-".length);
    if (search) { search.value = ""; }
    refresh();
    commune.focus();
  });
  var find = form ? form.querySelector("input[name=find_commune]") : null;
  if (find) {
    find.addEventListener("click", function (event) { event.preventDefault(); refresh(); });
  }

  var locate = document.getElementById("use-location");
  var status = document.getElementById("use-location-status");
  var lat = document.getElementById("latitude");
  var lng = document.getElementById("longitude");
  if (locate && navigator.geolocation && lat && lng) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        var details = lat.closest("details");
        if (details) { details.open = true; }
        status.textContent = locate.dataset.done;
        locate.disabled = false;
      }, function () {
        status.textContent = locate.dataset.error;
        locate.disabled = false;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }
}());
