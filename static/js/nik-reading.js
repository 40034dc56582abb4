// The registration form reads the NIK as it is typed: the birth date (digits 7-12, DDMMYY;
// women: day + 40) and the sex it encodes are shown under the field, and a typed birth date or
// sex that differs shows the warning and the box that confirms it. The server checks the same
// (enrollment/nik.py, enrollment/forms.py); without this script the form still works.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const reading = document.querySelector("[data-nik-reading]");
  if (!reading) return;
  const form = reading.closest("form");
  const nik = form.elements.nik;
  const birthDate = form.elements.birth_date;
  const sex = form.elements.sex;
  const confirm = form.querySelector("[data-nik-confirm]");
  const warning = form.querySelector("[data-nik-warning]");

  const two = (n) => String(n).padStart(2, "0");

  // {date: "YYYY-MM-DD", shown: "DD-MM-YYYY", sex: "M"|"F"} or null when not (yet) readable.
  function read(value) {
    const digits = value.replace(/[\s.\-]/g, "");
    if (!/^[0-9]{16}$/.test(digits)) return null;
    let day = Number(digits.slice(6, 8));
    const month = Number(digits.slice(8, 10));
    const year = Number(digits.slice(10, 12));
    const female = day > 40;
    if (female) day -= 40;
    const today = new Date();
    // The latest century (from 1900 on) that does not put the birth date after today.
    for (let century = Math.floor(today.getFullYear() / 100) * 100; century >= 1900; century -= 100) {
      const born = new Date(century + year, month - 1, day);
      const real =
        born.getFullYear() === century + year && born.getMonth() === month - 1 && born.getDate() === day;
      if (real && born <= today) {
        const y = century + year;
        return {
          date: `${y}-${two(month)}-${two(day)}`,
          shown: `${two(day)}-${two(month)}-${y}`,
          sex: female ? "F" : "M",
        };
      }
    }
    return { invalid: true };
  }

  function update() {
    const info = read(nik.value);
    let differs = false;
    if (info === null) {
      reading.hidden = true;
    } else if (info.invalid) {
      reading.textContent = reading.dataset.invalid;
      reading.hidden = false;
    } else {
      const sexLabel = info.sex === "F" ? reading.dataset.female : reading.dataset.male;
      reading.textContent = `${reading.dataset.born} ${info.shown}, ${sexLabel}`;
      reading.hidden = false;
      differs =
        (birthDate.value !== "" && birthDate.value !== info.date) ||
        (sex.value !== "" && sex.value !== info.sex);
    }
    if (warning) warning.hidden = !differs;
    if (confirm && differs) confirm.hidden = false;
  }

  for (const field of [nik, birthDate, sex]) {
    field.addEventListener("input", update);
    field.addEventListener("change", update);
  }
  update();
});
