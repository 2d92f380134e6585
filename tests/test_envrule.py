"""The rule of what an allowed `.ssoenv` may set: data, never code. Classes of names, in any
case, checked against the variables the installed bash, zsh and fish report as their own."""

import shell_specials
from hypothesis import given
from hypothesis import strategies as st

from ssoenv.prompt import envrule

# The names each finding used, by what the attacker got from them.
FINDINGS = {
    # direnv's hook in the same shell: its settings, its record of what to unload, its bash.
    "direnv": [
        "DIRENV_CONFIG",
        "DIRENV_DIFF",
        "DIRENV_DIR",
        "DIRENV_FILE",
        "DIRENV_WATCHES",
        "DIRENV_BASH",
        "DIRENV_LOG_FORMAT",
    ],
    # zsh: MODULE_PATH is tied to module_path; PROMPT_EOL_MARK is expanded with prompt_subst.
    "zsh": ["MODULE_PATH", "module_path", "PROMPT_EOL_MARK", "FPATH", "ZLE_RPROMPT_INDENT"],
    # gio's modules, a venv's deactivate, fc's editor.
    "programs": ["GIO_EXTRA_MODULES", "_OLD_VIRTUAL_PATH", "_OLD_VIRTUAL_PS1", "FCEDIT"],
    # History truncated, a proxy in mixed case, TLS and checksum switches.
    "switches": [
        "HISTFILESIZE",
        "HISTSIZE",
        "Https_Proxy",
        "hTTp_pRoxy",
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "GOINSECURE",
        "GONOSUMDB",
        "GOSUMDB",
        "GOPRIVATE",
        "GOFLAGS",
        "PYTHONHTTPSVERIFY",
    ],
}

# One or more names of each class.
CLASSES = [
    # Names that begin with _.
    "_",
    "_ZO_DATA_DIR",
    "__fish_config_dir",
    "_P9K_TTY",
    # Tools that hook the shell or prompt.
    "STARSHIP_CONFIG",
    "STARSHIP_SHELL",
    "POWERLEVEL9K_INSTANT_PROMPT",
    "P9K_SSH",
    "POWERLINE_CONFIG_COMMAND",
    "LP_ENABLE_GIT",
    "ZSH_AUTOSUGGEST_STRATEGY",
    "ZSH",
    "BASH_ENV",
    "BASH_COMPLETION_USER_DIR",
    "FISH_DEBUG",
    "fish_user_paths",
    "VIRTUAL_ENV",
    "VIRTUAL_ENV_PROMPT",
    "CONDA_PREFIX",
    "PYENV_VERSION",
    "NVM_DIR",
    "MISE_SHELL",
    "TMUX",
    # bash's and zsh's prompts, history and editor for fc.
    "PS0",
    "PS1",
    "RPS1",
    "PROMPT_DIRTRIM",
    "PROMPT_COMMAND",
    "RPROMPT",
    "LISTPROMPT",
    "MENUPROMPT",
    "PURE_PROMPT_SYMBOL",
    "HISTTIMEFORMAT",
    "HISTCONTROL",
    "FCEDIT",
    "LANG",
    "LC_ALL",
    # Pointing a program at code, settings or a server.
    "KUBECONFIG",
    "DOCKER_CONFIG",
    "GIT_CONFIG_GLOBAL",
    "APP_CONFIG_FILE",
    "JAVA_HOME",
    "LIBRARY_PATH",
    "PKG_CONFIG_PATH",
    "GOPATH",
    "XDG_RUNTIME_DIR",
    "IPYTHONDIR",
    "TEXMFHOME",
    "XDG_DATA_DIRS",
    "NPMRC",
    "PSQLRC",
    "ANSIBLE_CONFIG",
    "GTK_MODULES",
    "HELM_PLUGINS",
    "LD_PRELOAD",
    "MAVEN_OPTS",
    "JAVA_OPTS",
    "NODE_OPTIONS",
    "ALL_PROXY",
    "no_proxy",
    "DOCKER_HOST",
    "DB_HOST",
    "VAULT_ADDR",
    "OLLAMA_HOST",
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
    "GITHUB_API_URL",
    "SENTRY_URL",
    "HF_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    # Programs to run.
    "EDITOR",
    "VISUAL",
    "PAGER",
    "GIT_PAGER",
    "BROWSER",
    "SUDO_ASKPASS",
    "GIT_SSH_COMMAND",
    "RSYNC_RSH",
    "CC",
    "CFLAGS",
    "RUSTFLAGS",
    "PIPENV_PYTHON",
    "PYSPARK_DRIVER_PYTHON",
    # TLS and checksums.
    "AWS_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "GIT_SSL_NO_VERIFY",
    "CURL_INSECURE",
    "KUBE_SKIP_VERIFY",
    "DOCKER_TLS_VERIFY",
    "PGSSLMODE",
    "GONOSUMCHECK",
    "SSLKEYLOGFILE",
]

# What a `.ssoenv` is for: values the project's own code reads.
DATA = [
    "TF_VAR_stage",
    "TF_VAR_db_password",
    "TF_VAR_config_path",
    "VITE_API_URL",
    "NEXT_PUBLIC_API_URL",
    "NODE_ENV",
    "RAILS_ENV",
    "DJANGO_SETTINGS_MODULE",
    "APP_ENV",
    "STAGE",
    "LOG_LEVEL",
    "DEBUG",
    "PORT",
    "TZ",
    "GITHUB_TOKEN",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "REDIS_URL",
    "MONGODB_URI",
    "SLACK_WEBHOOK_URL",
    "SENTRY_DSN",
    "FEATURE_FLAGS",
    "PROJECT_ROOT",
    "DB_NAME",
    "DB_USER",
    "CDK_DEFAULT_ACCOUNT",
]

ALL_FINDINGS = [name for names in FINDINGS.values() for name in names]


def test_every_name_an_attack_used_is_refused():
    assert [name for name in ALL_FINDINGS if envrule.reason(name) is None] == []


def test_every_class_is_refused():
    assert [name for name in CLASSES if envrule.reason(name) is None] == []


def test_data_for_the_projects_own_code_is_not_refused():
    assert {name: envrule.reason(name) for name in DATA} == {name: None for name in DATA}


def test_every_variable_the_installed_shells_treat_as_their_own_is_refused_in_any_case():
    found = shell_specials.all_specials()
    # The shells answered: the names every one of them has are among the answers.
    for shell, names in found.items():
        assert {"PATH", "IFS", "HOME"} <= {n.upper() for n in names}, (shell, names)
    assert "MODULE_PATH" in found["zsh"] and "module_path" in found["zsh"]
    assert {"LANG", "LC_ALL"} <= found["zsh"]
    assert "BASH_VERSION" in found["bash"] and "fish_function_path" in found["fish"]
    missing = {
        shell: sorted(
            name
            for name in names
            if any(envrule.reason(n) is None for n in (name, name.upper(), name.lower()))
        )
        for shell, names in found.items()
    }
    assert missing == {shell: [] for shell in found}


def test_ssoenv_own_variables_are_its_own_in_any_case():
    for name in ("SSOENV_DIFF", "ssoenv_diff", "_ssoenv_f", "__SSOENV_X"):
        assert envrule.reason(name) == envrule.OWN
        assert not envrule.permittable(name)


def test_a_refused_name_in_allowed_variables_applies_but_the_own_ones_never_do():
    kept, refused = envrule.split(
        {"DIRENV_CONFIG": "/p", "MODULE_PATH": "/m", "SSOENV_X": "1", "TF_VAR_a": "b"},
        ["DIRENV_CONFIG", "SSOENV_X"],
    )
    assert kept == {"DIRENV_CONFIG": "/p", "TF_VAR_a": "b"}
    assert [name for name, _ in refused] == ["MODULE_PATH", "SSOENV_X"]


def test_a_refusal_is_one_line_with_its_reason_and_how_to_permit_it():
    line = envrule.refusal(
        "~/p/.ssoenv",
        "DIRENV_CONFIG",
        envrule.reason("DIRENV_CONFIG"),
        "~/.config/ssoenv/config.yaml",
    )
    assert line == (
        "~/p/.ssoenv: env: DIRENV_CONFIG is not set: it belongs to a tool that hooks your "
        "shell or prompt; to permit it, add DIRENV_CONFIG to allowed_variables in "
        "~/.config/ssoenv/config.yaml"
    )


REFUSED = sorted(set(ALL_FINDINGS + CLASSES) | set(envrule.REASONS))


def _any_case(name: str):
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda flips: "".join(c.upper() if up else c.lower() for c, up in zip(name, flips))
    )


@given(st.sampled_from(REFUSED).flatmap(_any_case))
def test_any_casing_of_a_refused_name_is_refused(name):
    assert envrule.reason(name) is not None


IDENT_TAIL = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", max_size=12)


@given(
    st.sampled_from(["DIRENV_", "STARSHIP_", "POWERLEVEL9K_", "ZSH", "BASH", "FISH", "_"]),
    IDENT_TAIL,
)
def test_any_name_in_a_hooked_tools_namespace_is_refused(prefix, tail):
    assert envrule.reason(prefix + tail) is not None
    assert envrule.reason((prefix + tail).lower()) is not None


@given(
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8),
    st.sampled_from(
        ["_CONFIG", "_CONFIG_FILE", "_HOME", "_PATH", "_DIR", "_DIRS", "RC", "_MODULES"]
        + ["_PLUGINS", "_PRELOAD", "_OPTIONS", "_OPTS", "_PROXY", "_HOST", "_ADDR"]
        + ["_CA_BUNDLE", "_INSECURE", "_SKIP_VERIFY", "_API_URL", "_BASE_URL", "_ENDPOINT"]
    ),
)
def test_any_name_that_points_a_program_at_code_settings_or_a_server_is_refused(head, suffix):
    assert envrule.reason(head + suffix) is not None
    assert envrule.reason((head + suffix).lower()) is not None
