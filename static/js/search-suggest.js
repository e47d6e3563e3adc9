/* Typeahead for the opportunity search box.
 *
 * Turns the plain text input into an ARIA 1.2 combobox ("list" autocomplete): while the
 * user types, suggestions from the JSON endpoint fill a listbox; arrow keys move through
 * them (aria-activedescendant, focus stays in the input), Enter or a tap picks one and
 * submits the search, Escape closes the list. Requests are debounced and a slower, older
 * answer never replaces a newer one. Without JavaScript the box is a normal GET field.
 */
(function () {
  'use strict';

  var box = document.querySelector('[data-suggest]');
  if (!box || !window.fetch) {
    return;
  }
  var input = box.querySelector('input[type="search"]');
  var list = box.querySelector('[role="listbox"]');
  var status = box.querySelector('[data-suggest-status]');
  var url = box.getAttribute('data-suggest-url');
  var DELAY_MS = 200;
  var MIN_CHARS = 2;
  var timer = null;
  var latest = 0;
  var active = -1;
  var items = [];

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  function announce(count) {
    var text;
    if (count === 0) {
      text = box.getAttribute('data-text-none');
    } else if (count === 1) {
      text = box.getAttribute('data-text-count-one');
    } else {
      text = box.getAttribute('data-text-count-many').replace('{n}', String(count));
    }
    status.textContent = text;
  }

  function close() {
    list.hidden = true;
    list.textContent = '';
    items = [];
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  // Drop a pending request and ignore any answer still on its way.
  function cancel() {
    window.clearTimeout(timer);
    latest += 1;
    close();
  }

  function highlight(index) {
    items.forEach(function (item, position) {
      var on = position === index;
      item.setAttribute('aria-selected', on ? 'true' : 'false');
      item.classList.toggle('bg-primary', on);
      item.classList.toggle('text-white', on);
    });
    active = index;
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', items[index].id);
      items[index].scrollIntoView({block: 'nearest'});
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function choose(index) {
    input.value = items[index].textContent;
    cancel();
    input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
  }

  function show(suggestions) {
    close();
    suggestions.forEach(function (text, index) {
      var item = document.createElement('li');
      item.id = list.id + '-' + index;
      item.setAttribute('role', 'option');
      item.setAttribute('aria-selected', 'false');
      item.className = 'px-3 py-2';
      item.style.cursor = 'pointer';
      item.textContent = text;  // text, never HTML: suggestions come from user-written titles
      // mousedown, not click: it fires before the input loses focus and closes the list.
      item.addEventListener('mousedown', function (event) {
        event.preventDefault();
        choose(index);
      });
      list.appendChild(item);
      items.push(item);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
    announce(items.length);
  }

  function fetchSuggestions() {
    var text = input.value.trim();
    var ticket = ++latest;
    if (text.length < MIN_CHARS) {
      close();
      return;
    }
    fetch(url + '?q=' + encodeURIComponent(text), {headers: {Accept: 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
      .then(function (data) {
        if (ticket === latest && document.activeElement === input) {
          show(data.suggestions || []);
        }
      })
      .catch(function () { close(); });
  }

  input.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, DELAY_MS);
  });

  input.addEventListener('keydown', function (event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!items.length) {
        return;
      }
      event.preventDefault();
      // -1 is the input itself: moving past either end comes back to what was typed.
      var next = active + (event.key === 'ArrowDown' ? 1 : -1);
      if (next >= items.length) {
        next = -1;
      } else if (next < -1) {
        next = items.length - 1;
      }
      highlight(next);
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      if (!list.hidden) {
        event.preventDefault();
      }
      cancel();
    }
  });

  input.addEventListener('blur', function () {
    window.setTimeout(cancel, 100);
  });

  input.form.addEventListener('submit', cancel);
}());
