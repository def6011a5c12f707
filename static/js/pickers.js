// Search-as-you-type pickers (issue 20). A <select data-picker="<url>"> becomes a Tom Select box
// that asks <url>?q=… for at most 20 matches (members by name, pinyin initials, 界别 or work unit;
// agencies by name) instead of offering hundreds of rows. Without JavaScript the select stays a
// plain one holding every option, named with 界别 and work unit too. The texts come from the
// select's data-picker-* attributes, which the server translates.
(function () {
  "use strict";
  if (typeof window.TomSelect === "undefined" || !window.fetch) { return; }

  function text(select, name) { return select.getAttribute("data-picker-" + name) || ""; }

  function describedBy(select, statusId) {
    var ids = (select.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids.push(statusId);
    return ids.join(" ");
  }

  function setup(select) {
    var url = select.getAttribute("data-picker");
    var hint = text(select, "hint");
    // Announces how many matches came back; Tom Select itself says nothing while loading.
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.id = (select.id || select.name) + "-picker-status";
    var controller = null;

    function announce(message) { status.textContent = message; }

    var settings = {
      valueField: "id",
      labelField: "text",
      searchField: ["search"],
      maxOptions: 20,
      loadThrottle: 250,
      placeholder: hint,
      hidePlaceholder: true,
      closeAfterSelect: !select.multiple,
      clearAfterSelect: true,
      // The server has matched already (pinyin, work unit): keep its order, exact names first.
      sortField: [{ field: "$order" }],
      plugins: select.multiple
        ? { remove_button: { title: text(select, "remove") } }
        : { clear_button: { title: text(select, "remove") } },
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: function (query, callback) {
        if (controller) { controller.abort(); }
        controller = window.AbortController ? new AbortController() : null;
        announce(text(select, "loading"));
        fetch(url + "?q=" + encodeURIComponent(query.trim()), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: controller ? controller.signal : undefined,
        }).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (data) {
          var results = data.results || [];
          callback(results);
          announce(results.length ? text(select, "found").replace("%(n)s", String(results.length)) : text(select, "empty"));
        }).catch(function (error) {
          callback();
          if (!error || error.name !== "AbortError") { announce(text(select, "failed")); }
        });
      },
      render: {
        option: function (data, escape) {
          var detail = data.detail ? ' <small class="text-body-secondary">' + escape(data.detail) + "</small>" : "";
          return "<div>" + escape(data.name || data.text) + detail + "</div>";
        },
        item: function (data, escape) { return "<div>" + escape(data.text) + "</div>"; },
        loading: function (data, escape) { return '<div class="no-results">' + escape(text(select, "loading")) + "</div>"; },
        no_results: function (data, escape) { return '<div class="no-results">' + escape(text(select, "empty")) + "</div>"; },
        not_loading: function (data, escape) { return '<div class="no-results">' + escape(hint) + "</div>"; },
      },
    };
    var picker = new window.TomSelect(select, settings);
    // The page holds every option for the plain select; the picker shows only what a search finds
    // (the chosen ones stay).
    picker.clearOptions();
    picker.wrapper.insertAdjacentElement("afterend", status);
    // The label is tied to the box by Tom Select (aria-labelledby); help text and status describe it.
    picker.control_input.setAttribute("aria-describedby", describedBy(select, status.id));
    // The original select only carries the value now: out of the tab order (Tom Select) and of
    // what screen readers read, which would otherwise announce an unlabelled second control.
    select.setAttribute("aria-hidden", "true");
    return picker;
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-picker]"), setup);
})();
