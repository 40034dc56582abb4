"""What the reference data announces, for the floors above to listen to (villages never imports
them): both are sent inside the transaction that made the change, synchronously."""

from django.dispatch import Signal

# A village's counts changed (population, working age, officials): sent with villages=[code, ...].
# campaigns.tally listens: the campaign scores use the counts.
village_facts_changed = Signal()

# The names of the regions changed (load_regions): portal.page_cache listens, since every page
# shows them.
region_names_changed = Signal()
