"""The European Clusters Alliance's policy assistant: cited answers from the alliance's own documents."""

from assistant.offline import enforce_offline

enforce_offline()
