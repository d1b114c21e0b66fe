;;; eglot-test.el --- end-to-end test of the README's eglot snippet  -*- lexical-binding: t -*-
;; emacs --batch -l <snippet.el> -l eglot-test.el, with NEWSMARK_BIN and NEWSMARK_EXAMPLE set.
(require 'eglot)
(require 'cl-lib)

(defvar newsmark-test--step "(setup)")
(defun newsmark-test--fail (fmt &rest args)
  (princ (format "FAIL emacs eglot, step \"%s\": %s\n" newsmark-test--step (apply #'format fmt args)))
  (kill-emacs 1))
(defun newsmark-test--ok (msg) (princ (format "  ok   %s\n" msg)))
(defun newsmark-test--wait (seconds pred)
  (let ((deadline (+ (float-time) seconds)) (done nil))
    (while (and (not (setq done (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    done))

(condition-case err
    (let* ((bin (or (getenv "NEWSMARK_BIN") (error "NEWSMARK_BIN not set")))
           (example (or (getenv "NEWSMARK_EXAMPLE") (error "NEWSMARK_EXAMPLE not set")))
           (ws (make-temp-file "newsmark-eglot-" t))
           (file (expand-file-name "lavrov-tokyo.nmk" ws))
           (process-environment (cons (concat "PATH=" (file-name-directory bin) path-separator (getenv "PATH"))
                                      process-environment))
           (exec-path (cons (file-name-directory bin) exec-path)))
      (setq newsmark-test--step "the snippet registers the mode and the server")
      (unless (eq (cdr (assoc "\\.nmk\\'" auto-mode-alist)) 'newsmark-mode)
        (newsmark-test--fail "*.nmk not in auto-mode-alist"))
      (let ((entry (assq 'newsmark-mode eglot-server-programs)))
        (unless entry (newsmark-test--fail "newsmark-mode not in eglot-server-programs"))
        ;; Point the snippet's command at the binary under test, keeping its other settings.
        (setcdr entry (cons bin (cddr entry))))
      (newsmark-test--ok newsmark-test--step)

      (setq newsmark-test--step "open a copy of the article in a git workspace")
      (call-process "git" nil nil nil "init" "-q" ws)
      (with-temp-file file
        (insert-file-contents example)
        (goto-char (point-max))
        (insert "\n%% Deliberately broken by the editor tests:\nTalks with @undefined_person went on.\n"))
      (find-file file)
      (unless (eq major-mode 'newsmark-mode) (newsmark-test--fail "major mode is %s" major-mode))
      (newsmark-test--ok newsmark-test--step)

      (setq newsmark-test--step "eglot-ensure connects to the server")
      ;; eglot-ensure connects from post-command-hook, which batch mode never runs: run it once.
      (run-hooks 'post-command-hook)
      (unless (newsmark-test--wait 15 (lambda () (and (eglot-current-server) (eglot--managed-mode))))
        (newsmark-test--fail "no eglot server for the buffer after 15 s (see *EGLOT events*)"))
      (newsmark-test--ok (format "%s (%s)" newsmark-test--step
                                 (plist-get (eglot--server-info (eglot-current-server)) :version)))

      (setq newsmark-test--step "diagnostics arrive in flymake")
      (unless (newsmark-test--wait
               20 (lambda ()
                    (flymake-start)
                    (cl-some (lambda (d) (string-match-p "undefined_person" (flymake-diagnostic-text d)))
                             (flymake-diagnostics))))
        (newsmark-test--fail "no diagnostic naming undefined_person; got %S"
                             (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
      (newsmark-test--ok newsmark-test--step)

      (setq newsmark-test--step "hover on a mention names the entity")
      (goto-char (point-min))
      (search-forward "[Sergey Lavrov]{@l")
      (let* ((server (eglot-current-server))
             (res (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
             (contents (plist-get res :contents))
             (text (cond ((stringp contents) contents)
                         ((plist-get contents :value))
                         (t (format "%S" contents)))))
        (unless (and text (string-match-p "Sergey Lavrov" text))
          (newsmark-test--fail "hover: %S" res)))
      (newsmark-test--ok newsmark-test--step)

      (setq newsmark-test--step "shutdown")
      (eglot-shutdown (eglot-current-server))
      (delete-directory ws t)
      (princ "PASS emacs eglot\n")
      (kill-emacs 0))
  (error (newsmark-test--fail "%S" err)))
