// The destination form: show the employer fields only for codes that carry an employer, mark
// the fields each code requires, ask for the "not an internship" statement where it applies,
// hide the internship-proof evidence kind for employment codes, and disable 单位所在地 for a
// country that has no division codes. Without this script every field is shown and the server
// applies the same rules (destinations/rules.py).
(function () {
  "use strict";
  var rulesNode = document.getElementById("destination-code-rules");
  var form = document.querySelector("[data-destination-form]");
  if (!rulesNode || !form) return;
  var rules = JSON.parse(rulesNode.textContent);
  var codeSelect = form.querySelector("[data-destination-code]");
  var employer = document.getElementById("employer-fields");
  var confirm = document.getElementById("confirm-block");
  var kindSelect = form.querySelector("select[name=evidence_kind]");
  var countrySelect = form.querySelector("select[name=employer_country]");
  var divisionInput = form.querySelector("input[name=employer_division]");
  var evidenceHint = document.getElementById("evidence-hint");

  function markRequired(input, required) {
    var wrapper = input.closest(".mb-3");
    var mark = wrapper ? wrapper.querySelector(".required-mark") : null;
    if (mark) mark.hidden = !required;
    if (required) input.setAttribute("aria-required", "true");
    else input.removeAttribute("aria-required");
  }

  function update() {
    var rule = rules[codeSelect.value];
    var showEmployer = !rule || rule.employer;
    if (employer) employer.hidden = !showEmployer;
    form.querySelectorAll("[data-employer-field]").forEach(function (input) {
      markRequired(input, !!rule && rule.required.indexOf(input.name) !== -1);
    });
    if (confirm) confirm.hidden = !!rule && !rule.needs_confirmation;
    if (evidenceHint) {
      // The text comes from the server (destinations/evidence_rules.py), already translated.
      evidenceHint.textContent = rule && rule.evidence
        ? evidenceHint.dataset.prefix + rule.evidence
        : "";
    }
    if (kindSelect) {
      var internship = kindSelect.querySelector("option[value=internship]");
      if (internship) {
        var refused = !!rule && rule.employment;
        internship.hidden = refused;
        internship.disabled = refused;
        if (refused && kindSelect.value === "internship") kindSelect.value = "";
      }
    }
  }

  function updatePlace() {
    if (!countrySelect || !divisionInput) return;
    var withDivisions = (countrySelect.dataset.divisionCountries || "").split(" ");
    var abroad = countrySelect.value !== "" && withDivisions.indexOf(countrySelect.value) === -1;
    divisionInput.disabled = abroad;
    if (abroad) divisionInput.value = "";
  }

  codeSelect.addEventListener("change", update);
  if (countrySelect) countrySelect.addEventListener("change", updatePlace);
  update();
  updatePlace();
})();
