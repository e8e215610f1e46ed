# Activate this virtual environment in xonsh:
#
#     source bin/activate.xsh
#
# `deactivate` returns to the previous environment. The environment is found from this file's
# own path. Written by puv.

class _PuvVirtualEnv:
    """Activation state: the variables to restore when leaving the environment."""

    SAVED = ("PATH", "PYTHONHOME")
    NOT_SET = "__puv_not_set__"  # saved for a variable that was not set before activation

    def __init__(self, venv_dir, prompt):
        self.venv_dir = venv_dir
        self.prompt = prompt

    def activate(self):
        from os.path import basename, join

        env = __xonsh__.env
        self.deactivate(["nondestructive"])
        for name in self.SAVED:
            env["_OLD_VIRTUAL_" + name] = list(env[name]) if name == "PATH" else env.get(name, self.NOT_SET)
        env["VIRTUAL_ENV"] = self.venv_dir
        env["VIRTUAL_ENV_PROMPT"] = self.prompt or basename(self.venv_dir)
        env["PATH"] = [join(self.venv_dir, "bin"), *env["PATH"]]
        env.pop("PYTHONHOME", None)
        aliases["pydoc"] = ["python", "-m", "pydoc"]
        aliases["deactivate"] = self.deactivate

    def deactivate(self, args=None):
        env = __xonsh__.env
        for name in self.SAVED:
            saved = env.pop("_OLD_VIRTUAL_" + name, None)
            if saved == self.NOT_SET:
                env.pop(name, None)
            elif saved is not None:
                env[name] = saved
        env.pop("VIRTUAL_ENV", None)
        env.pop("VIRTUAL_ENV_PROMPT", None)
        aliases.pop("pydoc", None)
        if not args or "nondestructive" not in args:
            aliases.pop("deactivate", None)


def _puv_venv_dir():
    from os.path import dirname, realpath

    return dirname(dirname(realpath(__file__)))


_PuvVirtualEnv(_puv_venv_dir(), __VIRTUAL_PROMPT__).activate()
del _puv_venv_dir
