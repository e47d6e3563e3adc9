/* Live progress of a background job's run (a spreadsheet import, a long export).
 *
 * Polls the run's stato.json every second and moves the progress bar; when the run is
 * over, reloads the page, which then shows the outcome (the rejected rows, the download). Plain
 * JavaScript in a file of its own (no inline script), so a strict Content-Security-Policy
 * can allow it. Without JavaScript the page still works through its "Aggiorna" link.
 */
(function () {
  'use strict';

  var box = document.querySelector('[data-job-progress]');
  if (!box || !window.fetch) {
    return;
  }
  var statusUrl = box.getAttribute('data-status-url');
  var rowsText = box.getAttribute('data-text-rows');
  var waitingText = box.getAttribute('data-text-waiting');
  var countingText = box.getAttribute('data-text-counting');
  var bar = box.querySelector('[role="progressbar"]');
  var text = box.querySelector('[data-progress-text]');
  var live = box.querySelector('[data-progress-live]');
  var statusLabel = document.querySelector('[data-job-status]');
  var announcedTenth = -1;

  function describe(state) {
    if (!state.total) {
      return state.status === 'running' ? countingText : waitingText;
    }
    return rowsText.replace('{processed}', state.processed).replace('{total}', state.total);
  }

  function render(state) {
    var percent = Math.max(0, Math.min(100, state.percent));
    var words = describe(state);
    bar.style.width = percent + '%';
    bar.setAttribute('aria-valuenow', String(percent));
    bar.setAttribute('aria-valuetext', words);
    text.textContent = words;
    if (statusLabel && state.label) {
      statusLabel.textContent = state.label;
    }
    // Screen readers hear the progress at each tenth, not once a second.
    var tenth = Math.floor(percent / 10);
    if (state.total && tenth !== announcedTenth) {
      announcedTenth = tenth;
      live.textContent = words;
    }
  }

  function poll() {
    fetch(statusUrl, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        render(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        // A network hiccup or a restarting server: try again a little later.
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 1000);
})();
