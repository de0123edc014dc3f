(function () {
  "use strict";
  // The self-check worksheet's judge: bpcalc check's rule (bpcalc/grading/precision.py),
  // ported line for line. Every comparison is exact: the answer is read as a fraction of
  // BigInts, as check reads it, and compared with the accepted interval's ends, which the
  // page carries as exact fractions (numerator, denominator): no float can mislead.

  // bpcalc/problem/yamlsource.py: _DECIMAL, _FRACTION and _MAX_DIGITS (what check reads).
  var DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$/;
  var FRACTION = /^([+-]?\d+)\s*\/\s*(\d+)$/;
  var MAX_CHARS = 60;
  // bpcalc/grading/precision.py: _NUMBER (the significant figures written).
  var NUMBER = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE][+-]?\d+)?$/;

  function signed(text) {
    // BigInt of "+12", "-012", "": the sign read by hand (BigInt("") is 0).
    var negative = text.charAt(0) === "-";
    var digits = text.replace(/^[+-]/, "");
    var value = digits === "" ? 0n : BigInt(digits);
    return negative ? -value : value;
  }

  // An answer as check reads it: {kind: "empty" | "not a number" | "exponent" | "number",
  // num, den (den > 0), places: decimals written, or null for a fraction or whole number}.
  function parse(raw) {
    var text = String(raw).trim();
    if (text === "") return {kind: "empty", text: text};
    if (text.length > MAX_CHARS) return {kind: "not a number", text: text};
    var match = DECIMAL.exec(text);
    if (match) {
      // check refuses an exponent: 1e0 for 1.25 would pass at "0 places".
      if (match[1] !== undefined) return {kind: "exponent", text: text};
      var point = text.indexOf(".");
      var whole = point < 0 ? text : text.slice(0, point);
      var decimals = point < 0 ? "" : text.slice(point + 1);
      return {kind: "number", text: text, num: signed(whole + decimals),
              den: 10n ** BigInt(decimals.length),
              places: point < 0 ? null : decimals.length};
    }
    match = FRACTION.exec(text);
    if (match && BigInt(match[2]) !== 0n) {
      return {kind: "number", text: text, num: signed(match[1]), den: BigInt(match[2]),
              places: null};
    }
    return {kind: "not a number", text: text};
  }

  // precision.written_sigfigs: '0.0390' -> 3, '.777' -> 3, '120' -> 3, '1/3' -> null.
  function writtenSigfigs(text) {
    var match = NUMBER.exec(text.trim());
    if (match === null || !(match[1] || match[2])) return null;
    var digits = ((match[1] || "") + (match[2] || "")).replace(/^0+/, "");
    return digits ? digits.length : 1;
  }

  // precision.enough_digits: was the answer written with at least the asked precision?
  // (`truth`: one solution's true value, as precision reads it: places, zero.)
  function enoughDigits(text, places, box, truth) {
    if (places === null && writtenSigfigs(text) === null) return true;
    if (box.kind === "places" || truth.zero) return places !== null && places >= box.digits;
    if (places !== null && places >= truth.places) return true;
    var sigfigs = writtenSigfigs(text);
    return sigfigs !== null && sigfigs >= box.digits;
  }

  function compare(num, den, end) {
    // The sign of num/den - end[0]/end[1] (both denominators positive).
    var left = num * BigInt(end[1]);
    var right = BigInt(end[0]) * den;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  function near(num, den, end, slack) {
    // |num/den - end| <= slack, exactly.
    var gap = num * BigInt(end[1]) - BigInt(end[0]) * den;
    if (gap < 0n) gap = -gap;
    return gap * BigInt(slack[1]) <= BigInt(slack[0]) * den * BigInt(end[1]);
  }

  // precision.within: inside [low, high]; at an end (a tie) only the end away from zero.
  // A float run's true value carries binary noise (0.00145 computed as 0.0014499999...):
  // check takes an answer within `slack` of an end as that end, the tie going away from
  // zero (grading/diagnosis.py), and so does the page (lowNear, highNear: which ends).
  function within(num, den, truth) {
    if (truth.slack !== null) {
      if (near(num, den, truth.high, truth.slack)) return truth.highNear;
      if (near(num, den, truth.low, truth.slack)) return truth.lowNear;
      return compare(num, den, truth.low) > 0 && compare(num, den, truth.high) < 0;
    }
    var low = compare(num, den, truth.low);
    var high = compare(num, den, truth.high);
    if (low > 0 && high < 0) return true;
    if (high === 0) return truth.highClosed;
    return low === 0 && truth.lowClosed;
  }

  function rounded(num, den, places) {
    // num/den rounded to `places` decimals, halves away from zero, times 10^places.
    var size = num < 0n ? -num : num;
    var whole = (2n * size * 10n ** BigInt(places) + den) / (2n * den);
    return num < 0n ? -whole : whole;
  }

  // judging.agrees at the digits written: the true value (give or take a float's
  // slack) rounds to the answer; a fraction or whole number must be the value itself.
  function atOwnDigits(answer, truth) {
    var value = truth.value;
    var slack = truth.slack === null ? ["0", "1"] : truth.slack;
    if (answer.places === null) return near(answer.num, answer.den, value, slack);
    var n = BigInt(value[0]), d = BigInt(value[1]);
    var sn = BigInt(slack[0]), sd = BigInt(slack[1]);
    var low = rounded(n * sd - sn * d, d * sd, answer.places);
    var high = rounded(n * sd + sn * d, d * sd, answer.places);
    var size = function (x) { return x < 0n ? -x : x; };
    return answer.num === (size(high) > size(low) ? high : low);
  }

  // judging.agrees with a precision asked: within the interval when written with
  // enough digits, else at the digits written.
  function agrees(answer, box, truth) {
    if (enoughDigits(answer.text, answer.places, box, truth)) {
      return within(answer.num, answer.den, truth);
    }
    return atOwnDigits(answer, truth);
  }

  // One verdict: "empty", "not a number", "exponent", "too few digits", "right", "wrong".
  // check's rule for one answer (grading/grade.py, diagnosis.py): right against the
  // solution, or against the unrounded one of a hand-rounded problem; then a right answer
  // with fewer digits than asked is "too few digits", unless it is the value itself (1.25,
  // 0: nothing more to write).
  function judge(raw, box) {
    var answer = parse(raw);
    if (answer.kind !== "number") return answer.kind;
    var truth = box.solutions[0];
    var right = agrees(answer, box, truth);
    for (var i = 1; i < box.solutions.length && !right; i++) {
      var other = box.solutions[i];
      if (agrees(answer, box, other)) {
        right = true;
        truth = other;
      }
    }
    if (right && answer.places !== null &&
        !enoughDigits(answer.text, answer.places, box, truth) &&
        !near(answer.num, answer.den, truth.value, truth.same)) {
      return "too few digits";
    }
    return right ? "right" : "wrong";
  }

  function says(verdict, box) {
    switch (verdict) {
      case "right": return "\u2713 right";
      case "wrong": return "\u2717 wrong: try again, or ask for a hint";
      case "too few digits": return "too few digits: give " + box.precision;
      case "exponent": return "write a plain decimal or a fraction, without an exponent";
      case "not a number": return "not a number: write it like .777, -0.0115 or 1/3";
      default: return "";
    }
  }

  var data = JSON.parse(document.getElementById("bpcalc-worksheet-data").textContent);
  window.bpcalcWorksheet = {judge: judge, boxes: data.boxes};

  function element(id) { return document.getElementById(id); }

  function check(box) {
    var input = element(box.id + "-input");
    var verdict = judge(input.value, box);
    var shown = element(box.id + "-verdict");
    shown.textContent = says(verdict, box);
    shown.className = "verdict " + verdict.replace(/ /g, "-");
    input.setAttribute("aria-invalid", verdict === "right" || verdict === "empty"
      ? "false" : "true");
  }

  function reveal(id, button) {
    var part = element(id);
    part.hidden = !part.hidden;
    if (button) button.setAttribute("aria-expanded", String(!part.hidden));
  }

  function showKey(box) {
    var key = element(box.id + "-key");
    key.textContent = "answer: " + box.answer + " (accepted: " + box.interval + ")";
    key.hidden = false;
    element(box.id + "-worked").hidden = false;
    element(box.id + "-worked-button").setAttribute("aria-expanded", "true");
  }

  data.boxes.forEach(function (box) {
    element(box.id + "-input").addEventListener("input", function () { check(box); });
    element(box.id + "-hint-button").addEventListener("click", function (event) {
      reveal(box.id + "-hint", event.currentTarget);
    });
    element(box.id + "-worked-button").addEventListener("click", function (event) {
      reveal(box.id + "-worked", event.currentTarget);
    });
  });
  element("bpcalc-show-all").addEventListener("click", function () {
    data.boxes.forEach(showKey);
  });
})();
