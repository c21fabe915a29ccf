/* Small progressive enhancements; every page also works without JavaScript. */
(function () {
  "use strict";

  function renumber(group) {
    var items = group.querySelectorAll(".repeat-item:not(.is-removed) .repeat-number");
    items.forEach(function (el, i) { el.textContent = String(i + 1); });
  }

  function showFieldsForType(item) {
    var select = item.querySelector("select[data-creator-type]");
    if (!select) { return; }
    item.querySelectorAll("[data-for-type]").forEach(function (field) {
      field.hidden = field.getAttribute("data-for-type") !== select.value;
    });
  }

  function removeItem(group, item) {
    var deleteBox = item.querySelector("input[type=checkbox][name$='-DELETE']");
    if (deleteBox) { deleteBox.checked = true; }
    item.classList.add("is-removed");
    renumber(group);
  }

  function setUpItem(group, item) {
    showFieldsForType(item);
    var select = item.querySelector("select[data-creator-type]");
    if (select) { select.addEventListener("change", function () { showFieldsForType(item); }); }
    var remove = item.querySelector("[data-remove-item]");
    if (remove) { remove.addEventListener("click", function () { removeItem(group, item); }); }
  }

  function setUpGroup(group) {
    var prefix = group.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = group.querySelector("template");
    var list = group.querySelector(".repeat-items");
    group.querySelectorAll(".repeat-item").forEach(function (item) { setUpItem(group, item); });
    var add = group.querySelector("[data-add-item]");
    if (!add || !total || !template) { return; }
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var wrapper = document.createElement("div");
      wrapper.innerHTML = html.trim();
      var item = wrapper.firstElementChild;
      list.appendChild(item);
      total.value = String(index + 1);
      setUpItem(group, item);
      renumber(group);
      var first = item.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  }

  function setUpConfirm(button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      var target = button.getAttribute("data-confirm-field");
      if (target) {
        var field = button.form.querySelector("input[name='" + target + "']");
        if (field) { field.value = "1"; }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset]").forEach(setUpGroup);
    document.querySelectorAll("[data-confirm]").forEach(setUpConfirm);
  });
})();
