"""Which variables a `.ssoenv` may set, and which names hold secrets.

A `.ssoenv` is declarative: applying one must never run code, change how a shell behaves,
send AWS calls (and the tokens they carry) elsewhere, or make tools read other files. The
variables that can do any of that are refused unless the user names them in their own
settings (`allowed_variables`). Plain string checks only: the hook's path uses this."""

# No typing import: it pulls in `re`, which the hook's path does without.

# Why a name is refused, by what it changes.
RUNS = "it changes which programs and code run"
SHELL = "it changes how your shell behaves"
AWS_CALLS = "it changes where AWS calls go and which credentials they carry"
AWS_FILES = "it changes which AWS files are read"
NETWORK = "it changes where network calls go or how they are secured"
FILES = "it changes where programs read their settings"
TOOLS = "it changes which plugins, settings or servers another tool uses"
OWN = "it belongs to ssoenv itself"

_NAMES = {
    # What runs: search paths, preloads, interpreter start-up, commands other tools run.
    RUNS: (
        "PATH",
        "CDPATH",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "MANPAGER",
        "MANPATH",
        "BROWSER",
        "LESS",
        "LESSOPEN",
        "LESSCLOSE",
        "LESSKEY",
        "LESSKEYIN",
        "SSH_ASKPASS",
        "SUDO_ASKPASS",
        "SSH_AUTH_SOCK",
        "GPG_AGENT_INFO",
        "GNUPGHOME",
        "NODE_OPTIONS",
        "NODE_PATH",
        "CLASSPATH",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "GEM_HOME",
        "GEM_PATH",
        "PERLLIB",
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTDOCFLAGS",
        "GOFLAGS",
        "GOPROXY",
        "CC",
        "CXX",
        "CPP",
        "LD",
        "MAKEFLAGS",
        "MFLAGS",
        "MAKEFILES",
        "TMPDIR",
        "TERMINFO",
        "TERMINFO_DIRS",
        "AWS_PAGER",
        # The C library and OpenSSL load modules named by these into any program.
        "GCONV_PATH",
        "GLIBC_TUNABLES",
        "LOCPATH",
        "NLSPATH",
        "OPENSSL_CONF",
        "OPENSSL_ENGINES",
        "OPENSSL_MODULES",
        # Start-up code of editors and interpreters.
        "VIMINIT",
        "EXINIT",
        "MYVIMRC",
        "VIMRUNTIME",
        "EMACSLOADPATH",
        "PHPRC",
        "PHP_INI_SCAN_DIR",
        "TCLLIBPATH",
        "DOTNET_STARTUP_HOOKS",
        "DOTNET_ADDITIONAL_DEPS",
        "COR_ENABLE_PROFILING",
        "COR_PROFILER",
        "COR_PROFILER_PATH",
        "JAVA_HOME",
        "GOROOT",
        "SUDO_EDITOR",
        "SYSTEMD_EDITOR",
        "SYSTEMD_PAGER",
    ),
    # How a shell behaves: start-up files, prompts, hooks, word splitting, special names.
    SHELL: (
        "BASH_ENV",
        "ENV",
        "PROMPT_COMMAND",
        "PS0",
        "PS1",
        "PS2",
        "PS3",
        "PS4",
        "PROMPT",
        "PROMPT2",
        "PROMPT3",
        "PROMPT4",
        "RPROMPT",
        "RPROMPT2",
        "RPS1",
        "RPS2",
        "SPROMPT",
        "POSTEDIT",
        "IFS",
        "HOME",
        "SHELL",
        "SHELLOPTS",
        "BASHOPTS",
        "POSIXLY_CORRECT",
        "ZDOTDIR",
        "FPATH",
        "NULLCMD",
        "READNULLCMD",
        "TMOUT",
        "HISTFILE",
        "HISTCONTROL",
        "HISTIGNORE",
        "MAIL",
        "MAILPATH",
        "MAILCHECK",
        "INPUTRC",
        "GLOBIGNORE",
        "TERM",
        "PWD",
        "OLDPWD",
        "SHLVL",
        "FIGNORE",
        "EXECIGNORE",
        "TIMEFORMAT",
        # xonsh keeps its settings in its environment.
        "UPDATE_OS_ENVIRON",
        "RIGHT_PROMPT",
        "BOTTOM_TOOLBAR",
        "MULTILINE_PROMPT",
        "PROMPT_FIELDS",
        "path",
        "fpath",
        "cdpath",
        "manpath",
        "module_path",
        "psvar",
        "prompt",
        "status",
        "pipestatus",
        "argv",
        "history",
        "umask",
    ),
    AWS_CALLS: (
        "AWS_CA_BUNDLE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
        "AWS_ROLE_ARN",
        "AWS_DATA_PATH",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ),
    AWS_FILES: ("BOTO_CONFIG", "AWS_SDK_LOAD_CONFIG"),
    NETWORK: (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "ftp_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "FTP_PROXY",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "NODE_EXTRA_CA_CERTS",
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
        # Name resolution: where a host name leads.
        "HOSTALIASES",
        "LOCALDOMAIN",
        "RES_OPTIONS",
        # Writes the keys of every TLS session, AWS calls included, to a file.
        "SSLKEYLOGFILE",
    ),
    FILES: ("XDG_CONFIG_DIRS", "XDG_DATA_DIRS"),
    # Tools people run inside a project without expecting its code to run, and which read
    # nothing from the project on their own: a file or server named here makes them run a
    # command (kubectl's exec plugins, docker's CLI plugins, psql's \!, gh's shell aliases,
    # Mercurial's hooks, a .curlrc's output file) or send their tokens elsewhere (Vault,
    # Terraform's service discovery, gcloud's endpoint overrides, helm's API server).
    TOOLS: (
        "KUBECONFIG",
        "KUBERC",
        "KUBECACHEDIR",
        "KUBE_EDITOR",
        "DOCKER_CONFIG",
        "DOCKER_HOST",
        "DOCKER_CONTEXT",
        "DOCKER_CERT_PATH",
        "DOCKER_TLS_VERIFY",
        "BUILDX_CONFIG",
        "CONTAINER_HOST",
        "CONTAINER_CONNECTION",
        "CONTAINERS_CONF",
        "TF_CLI_CONFIG_FILE",
        "TERRAFORM_CONFIG",
        "TF_PLUGIN_CACHE_DIR",
        "NOMAD_ADDR",
        "BOUNDARY_ADDR",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
        "AZURE_CONFIG_DIR",
        "GH_CONFIG_DIR",
        "HGRCPATH",
        "PSQLRC",
        "PGSYSCONFDIR",
        "MYSQL_HOME",
        "CURL_HOME",
        "WGETRC",
        "SYSTEM_WGETRC",
        "NETRC",
        "SCREENRC",
        "GOENV",
    ),
}
REASONS = {name: reason for reason, names in _NAMES.items() for name in names}

# (prefix, suffix, reason): a name is refused when it starts and ends with these.
PATTERNS = (
    ("SSOENV_", "", OWN),
    ("_SSOENV", "", OWN),
    ("_ssoenv", "", OWN),
    ("__ssoenv", "", OWN),
    ("LD_", "", RUNS),
    ("DYLD_", "", RUNS),
    ("PYTHON", "", RUNS),
    ("PERL5", "", RUNS),
    ("PERL_", "", RUNS),
    ("RUBY", "", RUNS),
    ("GIT_", "", RUNS),
    ("PIP_", "", RUNS),
    ("UV_", "", RUNS),
    ("NPM_CONFIG_", "", RUNS),
    ("npm_config_", "", RUNS),
    ("CARGO_", "", RUNS),
    ("LUA_", "", RUNS),
    ("R_PROFILE", "", RUNS),
    ("R_ENVIRON", "", RUNS),
    ("CORECLR_", "", RUNS),
    ("BASH_", "", SHELL),
    ("BASH", "", SHELL),
    ("ZSH", "", SHELL),
    ("fish_", "", SHELL),
    ("FISH_", "", SHELL),
    ("COMP_", "", SHELL),
    ("XONSH_", "", SHELL),
    ("", "_functions", SHELL),
    ("", "_FUNCTIONS", SHELL),
    ("AWS_ENDPOINT_URL", "", AWS_CALLS),
    ("AWS_", "_FILE", AWS_FILES),
    ("XDG_", "_HOME", FILES),
    ("XDG_", "_DIR", FILES),
    ("KUBECTL_", "", TOOLS),
    ("HELM_", "", TOOLS),
    ("TF_CLI_ARGS", "", TOOLS),
    ("VAULT_", "", TOOLS),
    ("CONSUL_HTTP_", "", TOOLS),
    ("CLOUDSDK_", "", TOOLS),
)

# Names whose values are secrets: never kept in a copy, never shown.
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE")
_SECRET_ENDINGS = ("_KEY", "_KEYS", "_AUTH", "APIKEY", "_PAT")


def reason(name: str) -> "str | None":
    """Why a `.ssoenv` may not set `name` by default, or None when it may."""
    found = REASONS.get(name)
    if found is not None:
        return found
    for prefix, suffix, why in PATTERNS:
        if name.startswith(prefix) and name.endswith(suffix):
            return why
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


def looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(word in upper for word in _SECRET_WORDS) or upper.endswith(_SECRET_ENDINGS)


def masked(name: str, value: str) -> str:
    """A value as it may be shown: a secret's length only."""
    if looks_secret(name) and value:
        return "<secret, %d characters>" % len(value)
    return value
