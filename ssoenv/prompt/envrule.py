"""Which variables a `.ssoenv` may set, and which names hold secrets.

A `.ssoenv` sets data, never code: applying one must never run code, change how a shell
behaves, send network calls (and the tokens they carry) elsewhere, or make tools read other
files. The rule refuses whole classes of names, matched whatever their case (Python's urllib
and botocore read `Https_Proxy` as `HTTPS_PROXY`, and a shell's specials are a hazard in any
spelling a tool may read): every variable bash, zsh or fish treats as its own, every name
that begins with `_`, the namespaces of tools that hook the shell or its prompt, names that
point a program at code, settings or a server, and switches that weaken TLS or checksums.
The user may still permit a name in their own settings (`allowed_variables`). Plain string
checks only: the hook's path uses this."""

# No typing import: it pulls in `re`, which the hook's path does without.
from ssoenv.base import secretvalue

# Why a name is refused, by what it changes.
RUNS = "it changes which programs and code run"
SHELL = "it changes how your shell behaves"
PRIVATE = "a name that begins with _ belongs to your shell or a tool hooked into it"
HOOKED = "it belongs to a tool that hooks your shell or prompt"
AWS_CALLS = "it changes where AWS calls go and which credentials they carry"
AWS_FILES = "it changes which AWS files are read"
NETWORK = "it changes where network calls go or how they are secured"
SECURED = "it changes how network calls or downloads are checked"
FILES = "it changes where programs read their settings"
TOOLS = "it changes which plugins, settings or servers another tool uses"
OWN = "it belongs to ssoenv itself"

# Every variable bash, zsh (its modules included) or fish sets or reserves for itself, as
# the shells report them (tests/shell_specials.py asks the installed shells and fails when
# one is missing here or from the classes below). Names the classes cover already (BASH*,
# ZSH*, FISH*, _*, HIST*, *PROMPT*, PS<n>, FC*, LC_*) are left out. A name here is refused
# whatever its case: zsh ties MODULE_PATH to module_path, PATH to path and FPATH to fpath,
# and fish's lowercase `version` or `status` are the shell's as much as bash's uppercase.
SHELL_SPECIALS = frozenset(
    """
    ALIASES ARGC ARGV AUTO_RESUME BUILTINS CDPATH CMD_DURATION COLUMNS COMMANDS
    COMP_WORDBREAKS CPUTYPE DIRSTACK DIS_ALIASES DIS_BUILTINS DIS_FUNCTIONS
    DIS_FUNCTIONS_SOURCE DIS_GALIASES DIS_PATCHARS DIS_RESWORDS DIS_SALIASES EGID
    EPOCHREALTIME EPOCHSECONDS EPOCHTIME ERRNOS EUID EXARR EXINT EXSTR FIGNORE FPATH
    FUNCFILETRACE FUNCNEST FUNCSOURCETRACE FUNCSTACK FUNCTIONS FUNCTIONS_SOURCE FUNCTRACE
    GALIASES GID GLOBIGNORE GROUPS HOME HOST HOSTNAME HOSTTYPE IFS IGNOREEOF JOBDIRS
    JOBSTATES JOBTEXTS KEYBOARD_HACK KEYMAPS KEYTIMEOUT LANG LANGINFO LINENO LINES LISTMAX
    LOGCHECK LOGNAME MACHTYPE MAILCHECK MAILPATH MANPATH MAPFILE MODULES MODULE_PATH
    NAMEDDIRS NULLCMD OLDPWD OPTARG OPTERR OPTIND OPTIONS OSTYPE PARAMETERS PATCHARS PATH
    PIPESTATUS PPID PSVAR PWD RANDOM READNULLCMD RESWORDS SALIASES SAVEHIST SECONDS SHELL
    SHELLOPTS SHLVL SIGNALS SPROMPT SRANDOM STATUS STATUS_GENERATION SYSPARAMS TERM TERMCAP
    TERMINFO TIMEFMT TIMEFORMAT TMPPREFIX TRY_BLOCK_ERROR TRY_BLOCK_INTERRUPT TTY TTYIDLE
    UID UMASK USER USERDIRS USERGROUPS USERNAME VENDOR VERSION WATCH WATCHFMT WIDGETS
    WORDCHARS ZCURSES_ATTRS ZCURSES_COLORS ZCURSES_COLOR_PAIRS ZCURSES_KEYCODES
    ZCURSES_WINDOWS ZFTP_PREFS ZFTP_SESSION ZFTP_TMOUT ZFTP_VERBOSE ZGDBM_TIED
    ZLE_BRACKETED_PASTE
    """.split()
)

# Names the shells read without setting them (their manuals', not their defaults): start-up
# files, prompts, hooks, completion and line-editor settings.
_SHELL_READS = """
    ENV POSIXLY_CORRECT ZDOTDIR TMOUT MAIL INPUTRC EXECIGNORE CHILD_MAX COMPREPLY COPROC
    EMACS INSIDE_EMACS REPLY FUNCNAME READLINE_LINE READLINE_POINT READLINE_MARK
    READLINE_ARGUMENT RPROMPT RPROMPT2 RPS1 RPS2 POSTEDIT CORRECT_IGNORE
    CORRECT_IGNORE_FILE DIRSTACKSIZE REPORTTIME REPORTMEMORY STTY TMPSUFFIX ZBEEP ARGV0
    BAUD MATCH MBEGIN MEND NUMERIC KEYS WIDGET WIDGETFUNC WIDGETSTYLE LASTWIDGET BUFFER
    LBUFFER RBUFFER PREBUFFER CURSOR CUTBUFFER KILLRING KEYMAP REGION_ACTIVE
    PREDISPLAY POSTDISPLAY SUFFIX_ACTIVE TERMINFO_DIRS LISTPROMPT MENUPROMPT MENUSELECT
    MENUSCROLL MENUMODE ZLS_COLORS ZLS_COLOURS
    UPDATE_OS_ENVIRON BOTTOM_TOOLBAR RIGHT_PROMPT MULTILINE_PROMPT PROMPT_FIELDS
"""

_NAMES = {
    # What runs: search paths, preloads, interpreter start-up, commands other tools run.
    RUNS: """
        PATH MANPATH CDPATH EDITOR VISUAL PAGER MANPAGER BROWSER FCEDIT TERMINAL LESS
        LESSOPEN LESSCLOSE LESSKEY LESSKEYIN GPG_AGENT_INFO GNUPGHOME CLASSPATH _JAVA_OPTIONS RUSTC
        RUSTC_WRAPPER CC CXX CPP LD AR AS NM RANLIB STRIP OBJCOPY YACC LEX M4 MAKE MAKEFILES
        TMPDIR GCONV_PATH GLIBC_TUNABLES LOCPATH NLSPATH OPENSSL_CONF OPENSSL_ENGINES
        OPENSSL_MODULES VIMINIT EXINIT MYVIMRC VIMRUNTIME EMACSLOADPATH PHPRC
        PHP_INI_SCAN_DIR TCLLIBPATH COR_ENABLE_PROFILING COR_PROFILER GOROOT GOBIN GOWORK
        GOTOOLCHAIN GOAUTH GOVCS GOCACHEPROG GOEXPERIMENT GOTOOLDIR GOENV GOCACHE
        GOMODCACHE GIO_EXTRA_MODULES GIO_MODULE_DIR GTK_MODULES GTK_PATH QT_PLUGIN_PATH
        KRB5CCNAME HOSTFILE RSH SSH_AUTH_SOCK PERLLIB AWS_PAGER
        DOTNET_STARTUP_HOOKS DOTNET_ADDITIONAL_DEPS DOTNET_SHARED_STORE DOTNET_ROOT
        NODE_REPL_EXTERNAL_MODULE NODE_REDIRECT_WARNINGS NODE_V8_COVERAGE NODE_ICU_DATA
        NODE_REPL_HISTORY CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LDLIBS FFLAGS ARFLAGS RUSTFLAGS
        RUSTDOCFLAGS MAKEFLAGS MFLAGS GOFLAGS GOPROXY MANOPT
    """,
    AWS_CALLS: """
        AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
        AWS_CREDENTIAL_EXPIRATION AWS_CONTAINER_AUTHORIZATION_TOKEN
        AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE AWS_ROLE_ARN AWS_DATA_PATH
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_CA_BUNDLE
    """,
    AWS_FILES: "BOTO_CONFIG AWS_SDK_LOAD_CONFIG",
    NETWORK: "HOSTALIASES LOCALDOMAIN RES_OPTIONS",
    SECURED: """
        GONOSUMDB GONOSUMCHECK GOSUMDB GOPRIVATE GOINSECURE GONOPROXY
        SSLKEYLOGFILE PGSSLMODE
    """,
    FILES: "XDG_CONFIG_DIRS XDG_DATA_DIRS PGPASSFILE PGSERVICEFILE",
    # Tools people run inside a project without expecting its code to run, and which read
    # nothing from the project on their own: a file or server named here makes them run a
    # command (kubectl's exec plugins, docker's CLI plugins, psql's \!, gh's shell aliases,
    # Mercurial's hooks, a .curlrc's output file) or send their tokens elsewhere (Vault,
    # Terraform's service discovery, gcloud's endpoint overrides, helm's API server).
    TOOLS: """
        KUBECONFIG KUBERC KUBECACHEDIR KUBE_EDITOR DOCKER_CONTEXT DOCKER_TLS_VERIFY
        CONTAINER_CONNECTION TERRAFORM_CONFIG GOOGLE_APPLICATION_CREDENTIALS
        GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES HGRCPATH PGSYSCONFDIR PGHOST PGHOSTADDR
        PGSERVICE NETRC GH_HOST GH_REPO SCREENRC
    """,
}

# (reason, prefixes): every name that begins with one of them.
_PREFIXES = (
    (OWN, ("SSOENV", "_SSOENV", "__SSOENV")),
    # Data the project's own code reads and nothing else: Terraform's input variables and
    # what a front-end bundler builds into the project's pages.
    (None, ("TF_VAR_", "VITE_", "NEXT_PUBLIC_", "REACT_APP_", "VUE_APP_", "EXPO_PUBLIC_")),
    (PRIVATE, ("_",)),
    (AWS_CALLS, ("AWS_ENDPOINT_URL", "AWS_CONTAINER_CREDENTIALS_", "AWS_EC2_METADATA_")),
    # xonsh keeps its settings in its environment, under XONSH_* and names of its own.
    (SHELL, ("BASH", "ZSH", "ZLE_", "FISH", "XONSH", "HIST", "PROMPT", "FC", "COMP_", "LC_")),
    (
        HOOKED,
        (
            "DIRENV_",
            "STARSHIP_",
            "POWERLEVEL9K_",
            "P9K_",
            "POWERLINE_",
            "LP_",
            "VIRTUAL_ENV",
            "CONDA",
            "PYENV",
            "RBENV",
            "NODENV",
            "JENV_",
            "NVM_",
            "ASDF_",
            "MISE_",
            "RTX_",
            "ZOXIDE_",
            "FZF_",
            "ATUIN_",
            "MCFLY_",
            "ZINIT",
            "ZPLUG",
            "ANTIGEN_",
            "SPACESHIP_",
            "PURE_",
            "POSH_",
            "OH_MY_",
            "TMUX",
            "KITTY_",
            "WEZTERM_",
            "ITERM",
            "VTE_",
        ),
    ),
    (
        RUNS,
        (
            "LD_",
            "DYLD_",
            "PYTHON",
            "PERL5",
            "PERL_",
            "RUBY",
            "GIT_",
            "PIP_",
            "UV_",
            "NPM_CONFIG_",
            "CARGO_",
            "RUSTUP_",
            "LUA_",
            "R_PROFILE",
            "R_ENVIRON",
            "CORECLR_",
            "COR_PROFILER",
            "JAVA_TOOL_",
            "JDK_JAVA_",
            "CGO_",
            "CMAKE_",
            "ELECTRON_",
            "MAKE",
            "SUDO_",
            "SYSTEMD_",
            "SSH_",
        ),
    ),
    (TOOLS, ("KUBECTL_", "HELM_", "TF_CLI_", "VAULT_", "CONSUL_HTTP_", "CLOUDSDK_")),
)

# (reason, parts): every name that holds one of them.
_PARTS = (
    (
        SECURED,
        (
            "_CA_",
            "CA_BUNDLE",
            "CAINFO",
            "CAPATH",
            "CERT",
            "INSECURE",
            "VERIFY",
            "TLS",
            "SSL",
            "REJECT_UNAUTHORIZED",
            "SUMDB",
            "KEYLOG",
        ),
    ),
    # A prompt is expanded at every prompt, by the shell or a theme: with zsh's
    # prompt_subst, a $(...) in it runs (zsh's LISTPROMPT and MENUPROMPT among them).
    (SHELL, ("PROMPT",)),
    (NETWORK, ("ENDPOINT", "PROXY")),
    (FILES, ("CONFIG",)),
)

# (reason, suffixes): every name that ends with one of them.
_SUFFIXES = (
    (SHELL, ("_FUNCTIONS",)),
    (
        RUNS,
        (
            "PATH",
            "PATHS",
            "_MODULES",
            "_PLUGINS",
            "_PLUGIN",
            "_PRELOAD",
            "_OPTIONS",
            "_OPTS",
            "_ARGS",
            "EDITOR",
            "PAGER",
            "_BROWSER",
            "ASKPASS",
            "_COMMAND",
            "_CMD",
            "_PROGRAM",
            "_EXECUTABLE",
            "_EXE",
            "_INTERPRETER",
            "_PYTHON",
            "_BIN",
            "_BINARY",
            "_WRAPPER",
            "_HOOK",
            "_HOOKS",
            "_SHELL",
            "_RSH",
            "_SSH",
        ),
    ),
    (FILES, ("HOME", "DIR", "DIRS", "RC", "_CONF", "_FILE", "_FILES")),
    (NETWORK, ("_HOST", "_ADDR", "_SOCK", "_SOCKET", "_SERVER", "_REGISTRY", "_MIRROR")),
)

# An address a tool sends its requests, and the user's tokens, to: every *_URL and *_URI
# (SENTRY_URL, OPENAI_BASE_URL, GITHUB_API_URL, ...), except a database, cache, queue or
# webhook address that the project's own code connects to with credentials of its own.
_ADDRESS = ("_URL", "_URI", "_API_BASE")
_DATA_ADDRESS = (
    "DATABASE_URL",
    "DATABASE_URI",
    "DB_URL",
    "DB_URI",
    "REDIS_URL",
    "REDIS_URI",
    "MONGO_URL",
    "MONGO_URI",
    "MONGODB_URL",
    "MONGODB_URI",
    "AMQP_URL",
    "RABBITMQ_URL",
    "BROKER_URL",
    "WEBHOOK_URL",
)

REASONS = {name: SHELL for name in SHELL_SPECIALS}
REASONS.update((name, SHELL) for name in _SHELL_READS.split())
REASONS.update((name, why) for why, names in _NAMES.items() for name in names.split())


_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")


def is_name(text: str) -> bool:
    """A variable's name as every shell takes it: a letter or _, then letters, digits, _."""
    return text[:1] in _NAME_START and _NAME_CHARS.issuperset(text)


def _prefixed(key: str) -> "str | None":
    for why, prefixes in _PREFIXES:
        if key.startswith(prefixes):
            return why or ""
    # PS0-PS4 in bash and zsh, RPS1 and RPS2 in zsh.
    if key.startswith("PS") and key[2:].isdigit() or key.startswith("RPS") and key[3:].isdigit():
        return SHELL
    return None


def reason(name: str) -> "str | None":
    """Why a `.ssoenv` may not set `name` by default, or None when it may."""
    key = name.upper()
    found = REASONS.get(key)
    if found is not None:
        return found
    found = _prefixed(key)
    if found is not None:
        return found or None
    if key.startswith("AWS_") and key.endswith("_FILE"):
        return AWS_FILES
    for why, parts in _PARTS:
        for part in parts:
            if part in key:
                return why
    for why, suffixes in _SUFFIXES:
        if key.endswith(suffixes):
            return why
    if key.endswith(_ADDRESS) and not key.endswith(_DATA_ADDRESS):
        return NETWORK
    return None


def permittable(name: str) -> bool:
    """ssoenv's own bookkeeping is never the user's to hand to a project."""
    return reason(name) != OWN


def split(env: dict, allowed) -> "tuple[dict, list[tuple[str, str]]]":
    """(the variables that apply, [(name, reason)] of those refused), in the file's order."""
    allowed = set(allowed or ())
    kept, refused = {}, []
    for name, value in env.items():
        why = reason(name)
        if why is None or (name in allowed and why != OWN):
            kept[name] = value
        else:
            refused.append((name, why))
    return kept, refused


def refusal(shown: str, name: str, why: str, settings_file: str) -> str:
    """The one line that says a variable was refused, and how the user may permit it."""
    return "%s: env: %s is %s" % (shown, name, not_set(name, why, settings_file))


def not_set(name: str, why: str, settings_file: str) -> str:
    if why == OWN:
        return "not set: %s" % why
    return "not set: %s; to permit it, add %s to allowed_variables in %s" % (
        why,
        name,
        settings_file,
    )


# Names whose values are secrets: never kept in a copy, never shown.
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE")
_SECRET_ENDINGS = ("_KEY", "_KEYS", "_AUTH", "APIKEY", "_PAT")


def looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(word in upper for word in _SECRET_WORDS) or upper.endswith(_SECRET_ENDINGS)


def secret(name: str, value) -> bool:
    """Whether a value is a secret: by its name, or as a URL that carries a credential."""
    return looks_secret(name) or secretvalue.in_url(value)


def masked(name: str, value: str) -> str:
    """A value as it may be shown: a secret's length only."""
    if value and secret(name, value):
        return "<secret, %d characters>" % len(value)
    return value
