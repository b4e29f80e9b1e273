"""Files ``netaudit init`` writes into a new policy repository.

``policies/`` holds byte-for-byte copies of the repository's ``policies/*.yaml`` model
templates (a test keeps them in sync); ``scaffold/`` the inventory, waivers and CI skeletons.
"""
