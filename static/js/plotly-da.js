// Danish month and day names for Plotly's date axes, and decimal commas. Names from
// plotly.js-locales 3.7.0 (da.js, MIT licence); the number separators are ours.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  window.Plotly.register({
    moduleType: "locale",
    name: "da",
    dictionary: {},
    format: {
      days: ["Søndag", "Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag"],
      shortDays: ["Søn", "Man", "Tir", "Ons", "Tor", "Fre", "Lør"],
      months: ["Januar", "Februar", "Marts", "April", "Maj", "Juni",
               "Juli", "August", "September", "Oktober", "November", "December"],
      shortMonths: ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec"],
      date: "%d-%m-%Y",
      decimal: ",",
      thousands: "."
    }
  });
})();
