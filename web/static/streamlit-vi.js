// Streamlit's own messages (connection lost, page not found, a widget's hints, a table's
// toolbar, the file drop zone) are in English only; the people who read these screens read
// Vietnamese. web/page_language.py adds this file to the dashboard's page, which runs it before
// Streamlit draws anything. ?lang=en keeps English.
(function () {
  if (new URLSearchParams(window.location.search).get("lang") === "en") return;
  document.documentElement.lang = "vi";
  var WORDS = {
    "Connection error": "Mất kết nối tới máy chủ",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:":
      "Máy chủ KBYT tạm thời không trả lời. Trang sẽ tự kết nối lại và hiện lại số liệu khi máy chủ hoạt động trở lại; không cần tải lại trang.",
    "Streamlit server is not responding. Are you connected to the internet?":
      "Máy chủ KBYT tạm thời không trả lời. Trang sẽ tự kết nối lại và hiện lại số liệu khi máy chủ hoạt động trở lại; không cần tải lại trang.",
    "Please wait...": "Vui lòng chờ…",
    "Connecting": "Đang kết nối",
    "Connection lost. Please wait for the app to reconnect, then try again.":
      "Mất kết nối. Vui lòng chờ ứng dụng kết nối lại rồi thử lại.",
    "Connection timed out.": "Hết thời gian chờ kết nối.",
    "Page not found": "Không tìm thấy trang",
    "The page that you have requested does not seem to exist. Running the app's main page.":
      "Trang bạn yêu cầu không tồn tại. Đang mở trang chính.",
    // Widgets and tables
    "Choose an option": "Chọn…",
    "No options to select": "Không có lựa chọn",
    "No results": "Không có kết quả",
    "Clear all": "Xóa hết",
    "Press Enter to apply": "Nhấn Enter để áp dụng",
    "Press Enter to submit form": "Nhấn Enter để gửi",
    "Press Ctrl+Enter to apply": "Nhấn Ctrl+Enter để áp dụng",
    "Press Ctrl+Enter to submit form": "Nhấn Ctrl+Enter để gửi",
    "Drag and drop a file here": "Kéo thả tệp vào đây",
    "Drag and drop files here": "Kéo thả các tệp vào đây",
    "Upload": "Tải lên",
    "Show/hide columns": "Ẩn/hiện cột",
    "Download as CSV": "Tải xuống CSV",
    "Search": "Tìm",
    "Fullscreen": "Toàn màn hình",
    "Close fullscreen": "Thoát toàn màn hình",
    "Running...": "Đang chạy…",
    "Stop": "Dừng",
  };
  // Texts with a number in them: "200MB per file".
  var PATTERNS = [[/^(\S+) per file$/, "$1 mỗi tệp"]];
  var LABELLED = ["aria-label", "title"];

  function words(text) {
    if (Object.prototype.hasOwnProperty.call(WORDS, text)) return WORDS[text];
    for (var i = 0; i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(text)) return text.replace(PATTERNS[i][0], PATTERNS[i][1]);
    }
    return null;
  }

  function relabel(element) {
    LABELLED.forEach(function (name) {
      var value = element.getAttribute(name);
      var shown = value && words(value.trim());
      if (shown) element.setAttribute(name, shown);
    });
  }
  var HIDDEN = "streamlit run yourscript.py";

  function translate(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      var text = node.nodeValue.trim();
      var shown = words(text);
      if (shown) {
        node.nodeValue = shown;
      } else if (text === HIDDEN && node.parentElement) {
        var block = node.parentElement.closest("pre") || node.parentElement;
        block.style.display = "none";
      }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    relabel(node);
    node.querySelectorAll("[aria-label], [title]").forEach(relabel);
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    var texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach(translate);
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === "characterData") translate(change.target);
      change.addedNodes.forEach(translate);
    });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();
